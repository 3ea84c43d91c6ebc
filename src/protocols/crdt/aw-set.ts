/**
 * An add-wins set of strings without tombstones: the delta-state AW-Set of Almeida, Shoker, Baquero,
 * "Delta State Replicated Data Types" (JPDC 2018, §7.2, Figure 6: a DotMap of element → DotSet beside a
 * causal context), stored as Bieniusa et al.'s optimised OR-Set ("An optimized conflict-free replicated
 * set", arXiv 1210.3368) and Basho's riak_dt_orswot: an element holds the dots of the adds that keep it,
 * and one causal context (`causal-context.ts`) records every dot the replica has seen. A removed element
 * leaves nothing behind but its dots in the context, so space is O(elements + actors), not O(operations).
 *
 * Join: a dot of ours survives when the other state holds it too or has never seen it; a dot of theirs
 * joins us when we have never seen it; the contexts unite. So a remove (which only grows the context)
 * deletes exactly the adds it observed, and a concurrent add, whose dot it did not observe, wins.
 *
 * Deferred removes are parked in the dot cloud. A remove delta that arrives before the add it covers puts
 * the add's dot into our context (in the cloud when it lies beyond a gap); when the add arrives its dot is
 * already covered and is discarded. This is rust-crdts' `deferred` map without a second structure.
 *
 * Departures:
 * - `add` supersedes: its delta's context also covers the element's earlier dots here (the paper's
 *   add_δ), so a re-added element keeps one dot. Hence the set matches a classic OR-Set (Shapiro et al.
 *   2011) whose add also tombstones the tags it observed of that element; without causal delivery a
 *   plain OR-Set can differ (a remove that observed a re-add also deletes the adds the re-add superseded,
 *   even if the remover never received those).
 * - The actor is an argument of `add`, not the replica's identity (one object may hold any replica in
 *   tests). It must be unique per replica incarnation (`ActorId`): two incarnations sharing one would mint
 *   equal dots, and an add would look removed (rust-crdts' QuickCheck log).
 * - A dot belongs to one element in any state (joins keep that); the decoder refuses a dot under two.
 * - Retired actors are not pruned from the context yet (Akka's `RemovedNodePruning`).
 *
 * Beside the element → dots map a state keeps the reverse index dot → element, so a join visits only the
 * dots the other state's context covers (a small delta costs what it carries, not the size of the set).
 * Dots are immutable and shared between states; arrays and maps are owned by one state.
 */
import { type Decoder, type Encoder, MeshError } from '../../kernel/index.ts'
import { CausalContext, type Dot } from './causal-context.ts'
import { checkText } from './check-text.ts'
import { type ActorId, type Crdt, type CrdtLimits, compareStrings, DEFAULT_CRDT_LIMITS } from './crdt.ts'
import { readDictionary, writeDictionary } from './dictionary.ts'

export class AwSet implements Crdt<AwSet> {
  readonly type = 'set' as const
  /** Bounds a local `add` checks, so this replica never builds a state its peers' decoders refuse. */
  readonly limits: CrdtLimits
  /** Element → the dots of the adds that keep it present; never an empty array. */
  private readonly dotsOf = new Map<string, Dot[]>()
  /** Dot → its element, per actor: the reverse of `dotsOf`. */
  private readonly elementOf = new Map<ActorId, Map<number, string>>()
  private context = new CausalContext()

  constructor(limits: CrdtLimits = DEFAULT_CRDT_LIMITS) {
    this.limits = limits
  }

  get size(): number {
    return this.dotsOf.size
  }

  has(element: string): boolean {
    return this.dotsOf.has(element)
  }

  /** The elements, in `compareStrings` order. */
  value(): string[] {
    return [...this.dotsOf.keys()].sort(compareStrings)
  }

  /**
   * Adds `element` as `actor` (this replica's id) and returns the delta: the element with one new dot,
   * and a context of that dot and the element's earlier dots here, which the new add supersedes.
   */
  add(actor: ActorId, element: string): AwSet {
    checkText('an actor id', actor, this.limits.maxKeyBytes)
    checkText('a set element', element, this.limits.maxKeyBytes)
    const earlier = this.dotsOf.get(element)
    if (earlier === undefined && this.dotsOf.size >= this.limits.maxEntries) {
      throw new MeshError('CAPACITY_EXCEEDED', `the set holds ${this.dotsOf.size} elements, its limit`)
    }
    if (!this.context.names(actor) && this.context.actorCount >= this.limits.maxActors) {
      throw new MeshError('CAPACITY_EXCEEDED', `the set names ${this.limits.maxActors} actors, its limit`)
    }
    const counter = this.context.nextCounter(actor)
    if (!Number.isSafeInteger(counter)) {
      throw new MeshError('CAPACITY_EXCEEDED', `actor ${actor}'s counter would pass Number.MAX_SAFE_INTEGER`)
    }
    const delta = new AwSet(this.limits)
    delta.insertDot(element, { actor, counter })
    delta.context.add(actor, counter)
    for (const dot of earlier ?? []) delta.context.add(dot.actor, dot.counter)
    this.merge(delta)
    return delta
  }

  /**
   * Removes `element` and returns the delta: no elements, and a context of the element's dots here (the
   * adds this replica observed). `undefined` when the element is absent, which changes nothing.
   */
  remove(element: string): AwSet | undefined {
    const dots = this.dotsOf.get(element)
    if (dots === undefined) return undefined
    const delta = new AwSet(this.limits)
    for (const dot of dots) delta.context.add(dot.actor, dot.counter)
    this.merge(delta)
    return delta
  }

  /**
   * The join decomposition (Enes et al., ICDE 2019; ConflictSync, arXiv 2505.01144): one state per live
   * dot (its element, and a context of that dot) and one per run of dead dots of an actor (a context
   * alone: dots seen whose adds were removed or superseded). Each is a valid delta and their join is this
   * state, so anti-entropy ships what a peer lacks: a dead run removes the adds it covers there.
   */
  fragments(): AwSet[] {
    const out: AwSet[] = []
    for (const [element, dots] of this.dotsOf) {
      for (const dot of dots) {
        const fragment = new AwSet(this.limits)
        fragment.insertDot(element, dot)
        fragment.context.add(dot.actor, dot.counter)
        out.push(fragment)
      }
    }
    for (const actor of new Set(this.context.actors())) {
      const live = this.elementOf.get(actor)
      const seen = [...(this.context.cloud.get(actor) ?? [])]
      const max = this.context.vector.get(actor) ?? 0
      let run: AwSet | undefined
      const close = (): void => {
        if (run !== undefined) out.push(run)
        run = undefined
      }
      const visit = (counter: number): void => {
        if (live?.has(counter) === true) {
          close()
          return
        }
        run ??= new AwSet(this.limits)
        run.context.add(actor, counter)
      }
      for (let counter = 1; counter <= max; counter++) visit(counter)
      seen.sort((a, b) => a - b)
      let previous = max
      for (const counter of seen) {
        if (counter !== previous + 1) close()
        visit(counter)
        previous = counter
      }
      close()
    }
    return out
  }

  /** Actors of the dots that keep elements present (a delta's adds; removes may name any actor). */
  *addActors(): IterableIterator<ActorId> {
    for (const [actor, owned] of this.elementOf) if (owned.size > 0) yield actor
  }

  merge(other: AwSet): boolean {
    if (other === this) return false
    // both passes read the contexts as they were before the join, so the contexts unite last
    let changed = this.dropDotsRemovedBy(other)
    if (this.adoptDotsUnseenBy(other)) changed = true
    if (this.context.merge(other.context)) changed = true
    return changed
  }

  clone(): AwSet {
    const copy = new AwSet(this.limits)
    for (const [element, dots] of this.dotsOf) copy.dotsOf.set(element, dots.slice())
    for (const [actor, owned] of this.elementOf) copy.elementOf.set(actor, new Map(owned))
    copy.context = this.context.clone()
    return copy
  }

  isEmpty(): boolean {
    return this.dotsOf.size === 0 && this.context.isEmpty()
  }

  /**
   * The actors as a sorted dictionary (`dictionary.ts`; every dot's actor is in the context, so the
   * context's actors are all of them), the context (`CausalContext.write`), then the elements in order,
   * each with its count of dots and the dots as (actor index, counter) in ascending order.
   */
  encodeBody(encoder: Encoder): void {
    const indexOf = writeDictionary(encoder, this.context.actors())
    this.context.write(encoder, indexOf)
    const elements = this.value()
    encoder.varUint(elements.length)
    for (const element of elements) {
      const dots = this.dotsOf.get(element) as Dot[]
      encoder.string(element)
      encoder.varUint(dots.length)
      for (const dot of dots.length === 1 ? dots : [...dots].sort(compareDots)) {
        encoder.varUint(indexOf.get(dot.actor) as number)
        encoder.varUint(dot.counter)
      }
    }
  }

  /** Builds the state `decodeAwSetBody` reads (here because it fills the private maps). */
  static readBody(decoder: Decoder, limits: CrdtLimits): AwSet {
    const set = new AwSet(limits)
    const actors = readDictionary(decoder, limits)
    set.context = CausalContext.read(decoder, actors, limits)
    // the context names every actor a dot uses, so an actor it does not name is unused
    if (decoder.error === undefined && set.context.actorCount !== actors.length) decoder.fail('invalid-value')
    set.readElements(decoder, actors)
    return set
  }

  private readElements(decoder: Decoder, actors: readonly ActorId[]): void {
    const count = decoder.count(this.limits.maxEntries)
    let previous: string | undefined
    for (let i = 0; i < count && decoder.error === undefined; i++) {
      const element = decoder.string(this.limits.maxKeyBytes)
      const dotCount = decoder.count(this.limits.maxEntries)
      if (decoder.error !== undefined) break
      if (dotCount === 0 || (previous !== undefined && compareStrings(previous, element) >= 0)) {
        decoder.fail('invalid-value')
        break
      }
      previous = element
      this.readDots(decoder, actors, element, dotCount)
    }
  }

  /** Refuses dots out of order, with counter 0, not covered by the context, or held by another element. */
  private readDots(decoder: Decoder, actors: readonly ActorId[], element: string, dotCount: number): void {
    let previousIndex = -1
    let previousCounter = 0
    for (let j = 0; j < dotCount && decoder.error === undefined; j++) {
      const index = decoder.varUint()
      const counter = decoder.varUint()
      if (decoder.error !== undefined) break
      const actor = actors[index]
      const ordered = index > previousIndex || (index === previousIndex && counter > previousCounter)
      if (
        actor === undefined ||
        !ordered ||
        counter === 0 ||
        !this.context.covers(actor, counter) ||
        this.elementOf.get(actor)?.has(counter) === true
      ) {
        decoder.fail('invalid-value')
        break
      }
      previousIndex = index
      previousCounter = counter
      this.insertDot(element, { actor, counter })
    }
  }

  /**
   * First half of the join: deletes our dots that `other` has seen but no longer holds (it removed or
   * superseded them). Walks the dots `other`'s context covers through our reverse index, whichever of
   * the two is smaller per actor.
   */
  private dropDotsRemovedBy(other: AwSet): boolean {
    let changed = false
    for (const [actor, seenUpTo] of other.context.vector) {
      const owned = this.elementOf.get(actor)
      if (owned === undefined) continue
      if (seenUpTo < owned.size) {
        for (let counter = 1; counter <= seenUpTo; counter++) {
          const element = owned.get(counter)
          if (element !== undefined && this.dropUnlessHeld(other, actor, counter, element)) changed = true
        }
      } else {
        // deleting the entry being visited is safe: a Map iterator skips deleted entries
        for (const [counter, element] of owned) {
          if (counter <= seenUpTo && this.dropUnlessHeld(other, actor, counter, element)) changed = true
        }
      }
    }
    for (const [actor, counters] of other.context.cloud) {
      const owned = this.elementOf.get(actor)
      if (owned === undefined) continue
      for (const counter of counters) {
        const element = owned.get(counter)
        if (element !== undefined && this.dropUnlessHeld(other, actor, counter, element)) changed = true
      }
    }
    return changed
  }

  /** Deletes our dot (actor, counter) of `element` unless `other` holds it for the same element. */
  private dropUnlessHeld(other: AwSet, actor: ActorId, counter: number, element: string): boolean {
    if (other.elementOf.get(actor)?.get(counter) === element) return false
    this.deleteDot(actor, counter, element)
    return true
  }

  /** Second half of the join: adopts `other`'s dots that our context has not seen. */
  private adoptDotsUnseenBy(other: AwSet): boolean {
    let changed = false
    for (const [element, dots] of other.dotsOf) {
      for (const dot of dots) {
        // a dot we hold is in our context, so an unseen dot is never a duplicate
        if (this.context.covers(dot.actor, dot.counter)) continue
        this.insertDot(element, dot)
        changed = true
      }
    }
    return changed
  }

  private insertDot(element: string, dot: Dot): void {
    const dots = this.dotsOf.get(element)
    if (dots === undefined) this.dotsOf.set(element, [dot])
    else dots.push(dot)
    let owned = this.elementOf.get(dot.actor)
    if (owned === undefined) {
      owned = new Map()
      this.elementOf.set(dot.actor, owned)
    }
    owned.set(dot.counter, element)
  }

  private deleteDot(actor: ActorId, counter: number, element: string): void {
    const owned = this.elementOf.get(actor) as Map<number, string>
    owned.delete(counter)
    if (owned.size === 0) this.elementOf.delete(actor)
    const dots = this.dotsOf.get(element) as Dot[]
    if (dots.length === 1) {
      this.dotsOf.delete(element)
      return
    }
    const at = dots.findIndex((dot) => dot.counter === counter && dot.actor === actor)
    dots.splice(at, 1)
  }
}

/**
 * Reads a body written by `AwSet.encodeBody`. Refuses (as `invalid-value`) any non-canonical body: a
 * dictionary out of strict order or with an actor the context does not name, a context breaking its
 * invariants (`CausalContext.read`), elements out of strict order, an element without dots, and dots out
 * of order, with counter 0, outside the context or under two elements. Counts are bounded by `limits`:
 * actors by `maxActors`, elements, dots per element and cloud dots by `maxEntries`, strings by
 * `maxKeyBytes`.
 */
export function decodeAwSetBody(decoder: Decoder, limits: CrdtLimits): AwSet {
  return AwSet.readBody(decoder, limits)
}

/** Dictionary order of actors, then counters: the canonical order of an element's dots. */
function compareDots(a: Dot, b: Dot): number {
  return compareStrings(a.actor, b.actor) || a.counter - b.counter
}
