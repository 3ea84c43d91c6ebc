/**
 * Maps of counters: key → a G-Counter (`GCounterMap`) or a PN-Counter (`PnCounterMap`), after Shapiro,
 * Preguiça, Baquero, Zawirski, "A comprehensive study of Convergent and Commutative Replicated Data
 * Types" (INRIA RR-7506, 2011, §3.1.2 and §3.1.3), in delta-state form (Almeida et al., JPDC 2018,
 * Figure 4's δ-mutator `inc`).
 *
 * Each (key, actor) holds grow-only totals that only that actor raises; the join takes their maximum, and
 * a key's value is their sum (for a PN-Counter Σp − Σn). A delta carries the actor's new *total*, not the
 * increment, which is what makes it safe to lose, duplicate or reorder: the join of a total seen twice is
 * that total.
 *
 * Departures and limits:
 * - The actor is an argument of `inc`, not the replica's identity, so one object can hold replicas'
 *   states in tests; the caller must pass its own `ActorId` (node id with boot epoch). Two incarnations
 *   sharing an actor id would lose increments (a restarted actor starting again from 0 is dominated).
 * - Totals stay safe integers: `inc` refuses one that would pass Number.MAX_SAFE_INTEGER and a decoder
 *   refuses such totals. A key's value is exact while its sum stays within ±(2^53 − 1); past that,
 *   reachable only by concurrent increments on many actors, it is the nearest double.
 * - Retired actors are not pruned yet (Akka prunes them with a coordinated handoff).
 *
 * Inner maps are owned by one state and copied on `clone` and on adoption by `merge`; PN totals are
 * immutable pairs shared between states.
 */
import { type Decoder, type Encoder, MeshError } from '../../kernel/index.ts'
import { checkText } from './check-text.ts'
import { type ActorId, type Crdt, type CrdtLimits, compareStrings, DEFAULT_CRDT_LIMITS } from './crdt.ts'
import { readDictionary, writeDictionary } from './dictionary.ts'

export interface PnTotals {
  /** The actor's total of increments. */
  readonly p: number
  /** The actor's total of decrements (as a positive number). */
  readonly n: number
}

type Counters<T> = Map<string, Map<ActorId, T>>

export class GCounterMap implements Crdt<GCounterMap> {
  readonly type = 'gcounter' as const
  /** Bounds a local `inc` checks, so this replica never builds a state its peers' decoders refuse. */
  readonly limits: CrdtLimits
  private readonly byKey: Counters<number> = new Map()

  constructor(limits: CrdtLimits = DEFAULT_CRDT_LIMITS) {
    this.limits = limits
  }

  /** Keys with a counter. */
  get size(): number {
    return this.byKey.size
  }

  /** The value at `key` (0 when absent). */
  get(key: string): number {
    let sum = 0
    for (const total of this.byKey.get(key)?.values() ?? []) sum += total
    return sum
  }

  /** Whether some actor counted at `key`. */
  has(key: string): boolean {
    return this.byKey.has(key)
  }

  /** `actor`'s total at `key` (0 when absent). */
  total(key: string, actor: ActorId): number {
    return this.byKey.get(key)?.get(actor) ?? 0
  }

  /** Every key's value, in key order (JavaScript lists integer-like keys first: `entries` keeps order). */
  value(): Record<string, number> {
    return Object.fromEntries(this.entries())
  }

  entries(): [string, number][] {
    return sortedKeys(this.byKey).map((key) => [key, this.get(key)])
  }

  /** Adds `by` (a positive safe integer) to `actor`'s total at `key`; returns the delta of the new total. */
  inc(actor: ActorId, key: string, by: number): GCounterMap {
    if (!(Number.isSafeInteger(by) && by > 0)) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a G-Counter increment must be a positive safe integer, got ${by}`,
      )
    }
    checkIds(this.limits, this.byKey, actor, key)
    const total = addTotal(this.total(key, actor), by)
    setTotal(this.byKey, key, actor, total)
    const delta = new GCounterMap(this.limits)
    setTotal(delta.byKey, key, actor, total)
    return delta
  }

  /**
   * The join decomposition: one state per (key, actor) total. Each is a valid delta and their join is
   * this state, so anti-entropy can ship only the totals a peer lacks.
   */
  fragments(): GCounterMap[] {
    const out: GCounterMap[] = []
    for (const [key, totals] of this.byKey) {
      for (const [actor, total] of totals) {
        const fragment = new GCounterMap(this.limits)
        setTotal(fragment.byKey, key, actor, total)
        out.push(fragment)
      }
    }
    return out
  }

  /** Every actor named by a total (the replication service checks a delta names only its origin's). */
  *actors(): IterableIterator<ActorId> {
    for (const totals of this.byKey.values()) yield* totals.keys()
  }

  merge(other: GCounterMap): boolean {
    let changed = false
    for (const [key, theirs] of other.byKey) {
      const mine = this.byKey.get(key)
      if (mine === undefined) {
        this.byKey.set(key, new Map(theirs))
        changed = true
        continue
      }
      for (const [actor, total] of theirs) {
        if (total > (mine.get(actor) ?? 0)) {
          mine.set(actor, total)
          changed = true
        }
      }
    }
    return changed
  }

  clone(): GCounterMap {
    const copy = new GCounterMap(this.limits)
    for (const [key, totals] of this.byKey) copy.byKey.set(key, new Map(totals))
    return copy
  }

  isEmpty(): boolean {
    return this.byKey.size === 0
  }

  /** See `writeCounters`: each total is one varint. */
  encodeBody(encoder: Encoder): void {
    writeCounters(encoder, this.byKey, (total) => encoder.varUint(total))
  }

  /** Builds the state `decodeGCounterMapBody` reads (here because it fills the private map). */
  static readBody(decoder: Decoder, limits: CrdtLimits): GCounterMap {
    const map = new GCounterMap(limits)
    readCounters(decoder, limits, map.byKey, () => {
      const total = decoder.varUint()
      // an actor that never incremented is absent, so a zero total is a second encoding of absence
      if (total === 0) decoder.fail('invalid-value')
      return total
    })
    return map
  }
}

export class PnCounterMap implements Crdt<PnCounterMap> {
  readonly type = 'counter' as const
  /** Bounds a local `inc` checks, so this replica never builds a state its peers' decoders refuse. */
  readonly limits: CrdtLimits
  private readonly byKey: Counters<PnTotals> = new Map()

  constructor(limits: CrdtLimits = DEFAULT_CRDT_LIMITS) {
    this.limits = limits
  }

  get size(): number {
    return this.byKey.size
  }

  /** The value at `key`, Σp − Σn (0 when absent). */
  get(key: string): number {
    let sum = 0
    // p − n per actor is exact, so the sum stays exact as long as the value (not Σp) is a safe integer
    for (const totals of this.byKey.get(key)?.values() ?? []) sum += totals.p - totals.n
    return sum
  }

  /** Whether some actor counted at `key`. */
  has(key: string): boolean {
    return this.byKey.has(key)
  }

  /** `actor`'s totals at `key` (zeros when absent). */
  totals(key: string, actor: ActorId): PnTotals {
    return this.byKey.get(key)?.get(actor) ?? ZERO_TOTALS
  }

  /** Every key's value, in key order (JavaScript lists integer-like keys first: `entries` keeps order). */
  value(): Record<string, number> {
    return Object.fromEntries(this.entries())
  }

  entries(): [string, number][] {
    return sortedKeys(this.byKey).map((key) => [key, this.get(key)])
  }

  /**
   * Adds `by` (a non-zero safe integer: positive raises p, negative raises n) to `actor`'s counter at
   * `key`; returns the delta of the actor's new totals.
   */
  inc(actor: ActorId, key: string, by: number): PnCounterMap {
    if (!(Number.isSafeInteger(by) && by !== 0)) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a PN-Counter increment must be a non-zero safe integer, got ${by}`,
      )
    }
    checkIds(this.limits, this.byKey, actor, key)
    const held = this.totals(key, actor)
    const totals: PnTotals =
      by > 0 ? { p: addTotal(held.p, by), n: held.n } : { p: held.p, n: addTotal(held.n, -by) }
    setTotal(this.byKey, key, actor, totals)
    const delta = new PnCounterMap(this.limits)
    setTotal(delta.byKey, key, actor, totals)
    return delta
  }

  /**
   * The join decomposition: one state per (key, actor) pair of totals. Each is a valid delta and their join is
   * this state, so anti-entropy can ship only the totals a peer lacks.
   */
  fragments(): PnCounterMap[] {
    const out: PnCounterMap[] = []
    for (const [key, totals] of this.byKey) {
      for (const [actor, total] of totals) {
        const fragment = new PnCounterMap(this.limits)
        setTotal(fragment.byKey, key, actor, total)
        out.push(fragment)
      }
    }
    return out
  }

  /** Every actor named by a total (the replication service checks a delta names only its origin's). */
  *actors(): IterableIterator<ActorId> {
    for (const totals of this.byKey.values()) yield* totals.keys()
  }

  merge(other: PnCounterMap): boolean {
    let changed = false
    for (const [key, theirs] of other.byKey) {
      const mine = this.byKey.get(key)
      if (mine === undefined) {
        this.byKey.set(key, new Map(theirs))
        changed = true
        continue
      }
      for (const [actor, totals] of theirs) {
        const held = mine.get(actor)
        if (held === undefined) {
          mine.set(actor, totals)
          changed = true
        } else if (totals.p > held.p || totals.n > held.n) {
          // adopt their pair when it dominates, so a converged state shares one object per actor
          const dominates = totals.p >= held.p && totals.n >= held.n
          mine.set(
            actor,
            dominates ? totals : { p: Math.max(totals.p, held.p), n: Math.max(totals.n, held.n) },
          )
          changed = true
        }
      }
    }
    return changed
  }

  clone(): PnCounterMap {
    const copy = new PnCounterMap(this.limits)
    for (const [key, totals] of this.byKey) copy.byKey.set(key, new Map(totals))
    return copy
  }

  isEmpty(): boolean {
    return this.byKey.size === 0
  }

  /** See `writeCounters`: each actor's totals are two varints, p then n. */
  encodeBody(encoder: Encoder): void {
    writeCounters(encoder, this.byKey, (totals) => {
      encoder.varUint(totals.p)
      encoder.varUint(totals.n)
    })
  }

  /** Builds the state `decodePnCounterMapBody` reads (here because it fills the private map). */
  static readBody(decoder: Decoder, limits: CrdtLimits): PnCounterMap {
    const map = new PnCounterMap(limits)
    readCounters(decoder, limits, map.byKey, () => {
      const p = decoder.varUint()
      const n = decoder.varUint()
      if (p === 0 && n === 0) decoder.fail('invalid-value')
      return { p, n }
    })
    return map
  }
}

/**
 * Reads a body written by `GCounterMap.encodeBody`. Refuses (as `invalid-value`) a dictionary or keys out
 * of strict order, an unused actor, a key without actors, actor indexes out of strict order or past the
 * dictionary, and zero totals; the varint reader refuses totals past Number.MAX_SAFE_INTEGER.
 */
export function decodeGCounterMapBody(decoder: Decoder, limits: CrdtLimits): GCounterMap {
  return GCounterMap.readBody(decoder, limits)
}

/** As `decodeGCounterMapBody`, with an actor's p and n, which may not both be zero. */
export function decodePnCounterMapBody(decoder: Decoder, limits: CrdtLimits): PnCounterMap {
  return PnCounterMap.readBody(decoder, limits)
}

// ---- shared by both maps ---------------------------------------------------------------------------------

const ZERO_TOTALS: PnTotals = Object.freeze({ p: 0, n: 0 })

function sortedKeys(byKey: Counters<unknown>): string[] {
  return [...byKey.keys()].sort(compareStrings)
}

function checkIds(limits: CrdtLimits, byKey: Counters<unknown>, actor: ActorId, key: string): void {
  checkText('an actor id', actor, limits.maxKeyBytes)
  checkText('a counter key', key, limits.maxKeyBytes)
  if (byKey.size >= limits.maxEntries && !byKey.has(key)) {
    throw new MeshError('CAPACITY_EXCEEDED', `the counter map holds ${byKey.size} keys, its limit`)
  }
}

function addTotal(total: number, by: number): number {
  const sum = total + by
  if (!Number.isSafeInteger(sum)) {
    throw new MeshError(
      'CAPACITY_EXCEEDED',
      `a counter total would pass Number.MAX_SAFE_INTEGER (${total} + ${by})`,
    )
  }
  return sum
}

function setTotal<T>(byKey: Counters<T>, key: string, actor: ActorId, value: T): void {
  let totals = byKey.get(key)
  if (totals === undefined) {
    totals = new Map()
    byKey.set(key, totals)
  }
  totals.set(actor, value)
}

/**
 * The body of both maps: the actors as a sorted dictionary, then the keys in order, each with its count of
 * actors and, per actor in dictionary order, the actor's index and its totals (`writeTotals`).
 */
function writeCounters<T>(encoder: Encoder, byKey: Counters<T>, writeTotals: (totals: T) => void): void {
  const actors: ActorId[] = []
  for (const totals of byKey.values()) for (const actor of totals.keys()) actors.push(actor)
  const indexOf = writeDictionary(encoder, actors)
  const keys = sortedKeys(byKey)
  encoder.varUint(keys.length)
  for (const key of keys) {
    const totals = byKey.get(key) as Map<ActorId, T>
    encoder.string(key)
    encoder.varUint(totals.size)
    for (const actor of [...totals.keys()].sort(compareStrings)) {
      encoder.varUint(indexOf.get(actor) as number)
      writeTotals(totals.get(actor) as T)
    }
  }
}

/**
 * Reads what `writeCounters` wrote into `byKey`; `readTotals` reads one actor's totals and fails the
 * decoder when they are not canonical.
 */
function readCounters<T>(
  decoder: Decoder,
  limits: CrdtLimits,
  byKey: Counters<T>,
  readTotals: () => T,
): void {
  const actors = readDictionary(decoder, limits)
  const used = new Uint8Array(actors.length)
  const keyCount = decoder.count(limits.maxEntries)
  let previousKey: string | undefined
  for (let i = 0; i < keyCount && decoder.error === undefined; i++) {
    const key = decoder.string(limits.maxKeyBytes)
    const actorCount = decoder.count(actors.length)
    if (decoder.error !== undefined) break
    if (actorCount === 0 || (previousKey !== undefined && compareStrings(previousKey, key) >= 0)) {
      decoder.fail('invalid-value')
      break
    }
    previousKey = key
    const totals = new Map<ActorId, T>()
    let previousIndex = -1
    for (let j = 0; j < actorCount && decoder.error === undefined; j++) {
      const index = decoder.varUint()
      const value = readTotals()
      const actor = actors[index]
      if (decoder.error !== undefined) break
      if (actor === undefined || index <= previousIndex) {
        decoder.fail('invalid-value')
        break
      }
      previousIndex = index
      used[index] = 1
      totals.set(actor, value)
    }
    byKey.set(key, totals)
  }
  // an actor no key names is a redundant byte string for the same state
  if (decoder.error === undefined && used.includes(0)) decoder.fail('invalid-value')
}
