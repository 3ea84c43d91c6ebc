/**
 * The bounded top-N map: at most N entries id → (rank, value), the N greatest by rank (ties by id). The
 * champion archive of the neuroevolution workloads is one.
 *
 * State S = map id → register, |S| ≤ N; join(A, B) = topN({ id ↦ max(A[id], B[id]) }). This is a
 * join-semilattice because each id's register only rises: an entry evicted from topN(A ∪ B) has N entries
 * above it that can only climb, so it can never re-enter topN(A ∪ B ∪ C), and a stale lower copy of an id
 * is dominated by the max; hence topN(topN(A ∪ B) ∪ C) = topN(A ∪ B ∪ C) (`shared/reference/state.md` §4,
 * after Cabrita and Preguiça's non-uniform replication, OPODIS 2017: a replica keeps only what answers the
 * query). The entries hold no per-writer metadata, so the state is exactly ≤ N entries whoever wrote.
 *
 * What keeps it a CRDT, and so what the type refuses to offer: no removal of an id, no rank that falls, no
 * rank composed of per-node parts (each breaks associativity; the reference shows how). A register is the
 * pair (rank, value) ordered by rank, then by the value's bytes, so that two writers offering one id at
 * one rank with different values still converge (to the greater value) instead of depending on order.
 *
 * Storage: a Map for lookups beside an array kept in rank order (binary search, then one splice), so a
 * delta of one entry merges in O(log N) comparisons plus a move of at most N pointers, and the ordered
 * view costs nothing to read. Entries are immutable and shared between states, so `clone` copies pointers.
 */
import { type Decoder, type Encoder, MeshError } from '../../kernel/index.ts'
import { checkText } from './check-text.ts'
import { type Crdt, type CrdtLimits, compareBytes, compareStrings, DEFAULT_CRDT_LIMITS } from './crdt.ts'

export interface TopNEntry {
  readonly id: string
  readonly rank: number
  readonly value: Uint8Array
}

/** Rank order: greater rank first, then smaller id. Negative when `a` comes first. */
function rankOrder(a: TopNEntry, b: TopNEntry): number {
  if (a.rank !== b.rank) return a.rank > b.rank ? -1 : 1
  return compareStrings(a.id, b.id)
}

/** Register order of two entries about one id: rank, then value bytes. Positive when `a` is greater. */
function registerOrder(a: TopNEntry, b: TopNEntry): number {
  if (a.rank !== b.rank) return a.rank > b.rank ? 1 : -1
  return compareBytes(a.value, b.value)
}

export class TopNMap implements Crdt<TopNMap> {
  readonly type = 'topN' as const
  readonly capacity: number
  private readonly limits: CrdtLimits
  private readonly byId = new Map<string, TopNEntry>()
  /** Every entry, in rank order. */
  private readonly ranked: TopNEntry[] = []

  constructor(capacity: number, limits: CrdtLimits = DEFAULT_CRDT_LIMITS) {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > limits.maxCapacity) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a top-N map needs a capacity from 1 to ${limits.maxCapacity}, got ${capacity}`,
      )
    }
    this.capacity = capacity
    this.limits = limits
  }

  get size(): number {
    return this.ranked.length
  }

  get(id: string): TopNEntry | undefined {
    return this.byId.get(id)
  }

  /** The entries in rank order (greatest first). */
  entries(): readonly TopNEntry[] {
    return this.ranked
  }

  /**
   * Offers `id` at `rank` with `value`: the delta (a map of this one entry) when it enters or raises the
   * top N, `undefined` when it changes nothing (a register not above the id's, or below a full map's
   * last entry: such an offer could never be part of any later top N, so nothing needs to travel).
   */
  offer(id: string, rank: number, value: Uint8Array): TopNMap | undefined {
    // refused here what every peer's decoder would refuse in the state
    checkText('a top-N id', id, this.limits.maxKeyBytes)
    if (!Number.isFinite(rank)) {
      throw new MeshError('INVALID_ARGUMENT', `a rank must be a finite number, got ${rank}`)
    }
    if (value.length > this.limits.maxValueBytes) {
      throw new MeshError('INVALID_ARGUMENT', `a top-N value is at most ${this.limits.maxValueBytes} bytes`)
    }
    // -0 and 0 are one rank; keep one encoding of it
    const entry: TopNEntry = { id, rank: rank === 0 ? 0 : rank, value }
    if (!this.admit(entry)) return undefined
    const delta = new TopNMap(this.capacity, this.limits)
    delta.admit(entry)
    return delta
  }

  /** The join decomposition: one state per entry; each is a valid delta and their join is this state. */
  fragments(): TopNMap[] {
    return this.entries().map((entry) => TopNMap.fromRanked(this.capacity, [entry], this.limits))
  }

  merge(other: TopNMap): boolean {
    if (other.capacity !== this.capacity) {
      // the replication layer refuses such a state before it merges (the capacity names the object)
      throw new MeshError(
        'INVALID_ARGUMENT',
        `cannot merge a top-${other.capacity} map into a top-${this.capacity} map`,
      )
    }
    let changed = false
    for (const entry of other.ranked) {
      if (this.admit(entry)) changed = true
      // The rest of `other` ranks lower still. A new id among it cannot enter our full map, and an id we
      // hold ranks at or above our last here, so its copy there is the lower register: none can change us.
      else if (this.ranked.length === this.capacity && rankOrder(entry, this.last()) > 0) break
    }
    return changed
  }

  clone(): TopNMap {
    const copy = new TopNMap(this.capacity, this.limits)
    for (const entry of this.ranked) {
      copy.ranked.push(entry)
      copy.byId.set(entry.id, entry)
    }
    return copy
  }

  isEmpty(): boolean {
    return this.ranked.length === 0
  }

  /** Capacity, count, then each entry in rank order: id, rank (float64), value. */
  encodeBody(encoder: Encoder): void {
    encoder.varUint(this.capacity)
    encoder.varUint(this.ranked.length)
    for (const entry of this.ranked) {
      encoder.string(entry.id)
      encoder.f64(entry.rank)
      encoder.bytes(entry.value)
    }
  }

  /** Joins one entry; true when the state changed. */
  private admit(entry: TopNEntry): boolean {
    const held = this.byId.get(entry.id)
    if (held !== undefined) {
      if (registerOrder(entry, held) <= 0) return false
      // the register rose: its rank is at least the old one, so it moves towards the front (or stays)
      this.ranked.splice(this.indexOf(held), 1)
      this.insert(entry)
      return true
    }
    if (this.ranked.length === this.capacity) {
      if (rankOrder(entry, this.last()) > 0) return false
      const evicted = this.ranked.pop() as TopNEntry
      this.byId.delete(evicted.id)
    }
    this.insert(entry)
    return true
  }

  private insert(entry: TopNEntry): void {
    this.ranked.splice(this.insertionIndex(entry), 0, entry)
    this.byId.set(entry.id, entry)
  }

  private last(): TopNEntry {
    return this.ranked[this.ranked.length - 1] as TopNEntry
  }

  /** The first index whose entry comes after `entry` in rank order. */
  private insertionIndex(entry: TopNEntry): number {
    let low = 0
    let high = this.ranked.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (rankOrder(this.ranked[mid] as TopNEntry, entry) < 0) low = mid + 1
      else high = mid
    }
    return low
  }

  /** The index of an entry this map holds (ids are unique, so rank order finds it exactly). */
  private indexOf(entry: TopNEntry): number {
    const index = this.insertionIndex(entry)
    return this.ranked[index] === entry ? index : this.ranked.indexOf(entry)
  }

  /** Builds a decoded map; the caller has checked that `entries` are in strict rank order. */
  static fromRanked(capacity: number, entries: readonly TopNEntry[], limits: CrdtLimits): TopNMap {
    const map = new TopNMap(capacity, limits)
    for (const entry of entries) {
      map.ranked.push(entry)
      map.byId.set(entry.id, entry)
    }
    return map
  }
}

/**
 * Reads a body written by `encodeBody`. Refuses (as `invalid-value`) a capacity outside 1…maxCapacity,
 * more entries than the capacity, a rank that is not finite, and entries out of strict rank order or with
 * a repeated id: those bytes would not be the one encoding of any state. Values are copied, so the state
 * does not pin the frame it came in.
 */
export function decodeTopNMapBody(decoder: Decoder, limits: CrdtLimits): TopNMap {
  const capacity = decoder.varUint()
  if (decoder.error === undefined && (capacity < 1 || capacity > limits.maxCapacity))
    decoder.fail('invalid-value')
  const count = decoder.count(Math.min(capacity, limits.maxEntries))
  const entries: TopNEntry[] = []
  const ids = new Set<string>()
  for (let i = 0; i < count && decoder.error === undefined; i++) {
    const id = decoder.string(limits.maxKeyBytes)
    const rank = decoder.f64()
    const value = decoder.bytes(limits.maxValueBytes).slice()
    if (decoder.error !== undefined) break
    const entry: TopNEntry = { id, rank, value }
    const previous = entries[entries.length - 1]
    const canonical =
      Number.isFinite(rank) &&
      !Object.is(rank, -0) &&
      !ids.has(id) &&
      (previous === undefined || rankOrder(previous, entry) < 0)
    if (!canonical) {
      decoder.fail('invalid-value')
      break
    }
    ids.add(id)
    entries.push(entry)
  }
  if (decoder.error !== undefined) return new TopNMap(1, limits)
  return TopNMap.fromRanked(capacity, entries, limits)
}
