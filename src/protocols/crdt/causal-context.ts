/**
 * A causal context: the set of dots (actor, counter) a replica has seen, each dot naming one add. It is
 * the CausalContext of Almeida, Shoker, Baquero, "Delta State Replicated Data Types" (JPDC 2018, §7.1),
 * stored as Preguiça et al.'s dotted version vector ("Dotted Version Vectors", arXiv 1011.5808): a compact
 * version vector (actor → the largest n such that dots 1..n were all seen) and a dot cloud holding the
 * dots seen beyond a gap. Deltas arrive lost, duplicated and reordered, so gaps are normal; the cloud
 * drains into the vector as soon as a gap fills.
 *
 * Invariants, which make the representation a function of the dot set (so equal sets encode alike and
 * `merge` can tell a change by comparing one number or one membership): a vector entry is ≥ 1; a cloud
 * counter is > vector[actor] + 1 (vector[actor] + 1 itself would have been compacted); no cloud set is
 * empty. The decoder refuses input that breaks any of them.
 *
 * Counters per actor are kept in a `Set<number>` under the actor, not as "actor:counter" strings, so the
 * hot paths (`covers`, `merge`) build no strings.
 */
import type { Decoder, Encoder } from '../../kernel/index.ts'
import { type ActorId, type CrdtLimits, compareStrings } from './crdt.ts'

/** One add: the `counter`-th event of `actor`. Immutable, so states share dot objects. */
export interface Dot {
  readonly actor: ActorId
  readonly counter: number
}

export class CausalContext {
  private readonly maxima = new Map<ActorId, number>()
  private readonly scattered = new Map<ActorId, Set<number>>()

  /** The compact part: actor → every counter from 1 to this one was seen. */
  get vector(): ReadonlyMap<ActorId, number> {
    return this.maxima
  }

  /** The dots seen beyond a gap, per actor; each above vector[actor] + 1. */
  get cloud(): ReadonlyMap<ActorId, ReadonlySet<number>> {
    return this.scattered
  }

  /** True when dot (actor, counter ≥ 1) was seen. */
  covers(actor: ActorId, counter: number): boolean {
    if (counter <= (this.maxima.get(actor) ?? 0)) return true
    return this.scattered.get(actor)?.has(counter) === true
  }

  /** True when some dot of `actor` was seen. */
  names(actor: ActorId): boolean {
    return this.maxima.has(actor) || this.scattered.has(actor)
  }

  /** Distinct actors with a seen dot. */
  get actorCount(): number {
    let count = this.maxima.size
    for (const actor of this.scattered.keys()) if (!this.maxima.has(actor)) count++
    return count
  }

  /** Every actor with a seen dot, possibly twice (once from the vector and once from the cloud). */
  *actors(): IterableIterator<ActorId> {
    yield* this.maxima.keys()
    yield* this.scattered.keys()
  }

  /**
   * The counter after every dot of `actor` seen, so that a new dot is above anything any replica could
   * have reported for the actor; with unique actor ids the cloud of one's own actor is empty anyway.
   */
  nextCounter(actor: ActorId): number {
    let max = this.maxima.get(actor) ?? 0
    for (const counter of this.scattered.get(actor) ?? []) if (counter > max) max = counter
    return max + 1
  }

  /** Adds dot (actor, counter ≥ 1); true when it was not seen before. */
  add(actor: ActorId, counter: number): boolean {
    const max = this.maxima.get(actor) ?? 0
    if (counter <= max) return false
    if (counter === max + 1) {
      this.maxima.set(actor, counter)
      this.absorb(actor)
      return true
    }
    let counters = this.scattered.get(actor)
    if (counters === undefined) {
      counters = new Set()
      this.scattered.set(actor, counters)
    } else if (counters.has(counter)) return false
    counters.add(counter)
    return true
  }

  /** Joins `other` in place (set union); true when this context gained a dot. */
  merge(other: CausalContext): boolean {
    if (other === this) return false
    let changed = false
    for (const [actor, max] of other.maxima) {
      // vector[actor] + 1 is never in our cloud, so a higher maximum always brings a dot we lacked
      if (max <= (this.maxima.get(actor) ?? 0)) continue
      this.maxima.set(actor, max)
      this.pruneCloud(actor, max)
      this.absorb(actor)
      changed = true
    }
    for (const [actor, counters] of other.scattered) {
      for (const counter of counters) if (this.add(actor, counter)) changed = true
    }
    return changed
  }

  clone(): CausalContext {
    const copy = new CausalContext()
    for (const [actor, max] of this.maxima) copy.maxima.set(actor, max)
    for (const [actor, counters] of this.scattered) copy.scattered.set(actor, new Set(counters))
    return copy
  }

  isEmpty(): boolean {
    return this.maxima.size === 0 && this.scattered.size === 0
  }

  /**
   * Writes the vector (count, then actor index and maximum per actor in dictionary order) and the cloud
   * (count of actors, then per actor its index, its count of dots and the counters ascending). `indexOf`
   * must give every actor of this context.
   */
  write(encoder: Encoder, indexOf: ReadonlyMap<ActorId, number>): void {
    const vectorActors = [...this.maxima.keys()].sort(compareStrings)
    encoder.varUint(vectorActors.length)
    for (const actor of vectorActors) {
      encoder.varUint(indexOf.get(actor) as number)
      encoder.varUint(this.maxima.get(actor) as number)
    }
    const cloudActors = [...this.scattered.keys()].sort(compareStrings)
    encoder.varUint(cloudActors.length)
    for (const actor of cloudActors) {
      const counters = [...(this.scattered.get(actor) as Set<number>)].sort(ascending)
      encoder.varUint(indexOf.get(actor) as number)
      encoder.varUint(counters.length)
      for (const counter of counters) encoder.varUint(counter)
    }
  }

  /**
   * Reads what `write` wrote, with `actors` the body's dictionary. Refuses (as `invalid-value`) actor
   * indexes out of strict order or past the dictionary, a zero maximum, an empty cloud set, and cloud
   * counters out of strict order or not above vector[actor] + 1 (a second encoding of the same set). All
   * cloud dots together are at most `limits.maxEntries`.
   */
  static read(decoder: Decoder, actors: readonly ActorId[], limits: CrdtLimits): CausalContext {
    const context = new CausalContext()
    const vectorCount = decoder.count(actors.length)
    let previousIndex = -1
    for (let i = 0; i < vectorCount && decoder.error === undefined; i++) {
      const index = decoder.varUint()
      const max = decoder.varUint()
      const actor = actors[index]
      if (decoder.error !== undefined) break
      if (actor === undefined || index <= previousIndex || max === 0) decoder.fail('invalid-value')
      else context.maxima.set(actor, max)
      previousIndex = index
    }
    const cloudCount = decoder.count(actors.length)
    let cloudBudget = limits.maxEntries
    previousIndex = -1
    for (let i = 0; i < cloudCount && decoder.error === undefined; i++) {
      const index = decoder.varUint()
      const dotCount = decoder.count(cloudBudget)
      const actor = actors[index]
      if (decoder.error !== undefined) break
      if (actor === undefined || index <= previousIndex || dotCount === 0) {
        decoder.fail('invalid-value')
        break
      }
      previousIndex = index
      cloudBudget -= dotCount
      context.readCloud(decoder, actor, dotCount)
    }
    return context
  }

  private readCloud(decoder: Decoder, actor: ActorId, dotCount: number): void {
    const counters = new Set<number>()
    // the lowest canonical counter is vector + 2: vector + 1 would extend the vector
    let floor = (this.maxima.get(actor) ?? 0) + 1
    for (let j = 0; j < dotCount && decoder.error === undefined; j++) {
      const counter = decoder.varUint()
      if (decoder.error !== undefined) break
      if (counter <= floor) {
        decoder.fail('invalid-value')
        break
      }
      counters.add(counter)
      floor = counter
    }
    this.scattered.set(actor, counters)
  }

  /** Drops cloud dots the vector now covers. */
  private pruneCloud(actor: ActorId, max: number): void {
    const counters = this.scattered.get(actor)
    if (counters === undefined) return
    for (const counter of counters) if (counter <= max) counters.delete(counter)
    if (counters.size === 0) this.scattered.delete(actor)
  }

  /** Moves cloud dots that continue the vector into it. */
  private absorb(actor: ActorId): void {
    const counters = this.scattered.get(actor)
    if (counters === undefined) return
    let max = this.maxima.get(actor) ?? 0
    while (counters.delete(max + 1)) max++
    this.maxima.set(actor, max)
    if (counters.size === 0) this.scattered.delete(actor)
  }
}

function ascending(a: number, b: number): number {
  return a - b
}
