/**
 * HyParView's active view (Leitão, Pereira, Rodrigues, DSN 2007, §4.1): the few symmetric neighbours a
 * node gossips with, each with what the heartbeat knows of it — when it was last heard, its smoothed
 * round trip, the ping in flight — and whether it is a long link (reached at random, kept whatever its
 * RTT) or a near one (chosen for its RTT).
 *
 * Laid out as an id array and one packed array of numbers, `FIELDS` per neighbour, rather than an object
 * per neighbour: V8 boxes every double-valued object field in a heap number of its own, while a packed
 * array stores doubles inline. At five neighbours that is ~300 bytes instead of ~750, per node, and a
 * million-node simulation holds a million of these. Entries are addressed by index (0 ≤ i < size); order
 * is arbitrary and changes on removal.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'

const HEARD_AT = 0
const RTT = 1
const PING_NONCE = 2
const PING_SENT_AT = 3
const LONG = 4
const FIELDS = 5

/** RFC 6298 §2: SRTT ← (1 − α)·SRTT + α·R' with α = 1/8. */
const RTT_GAIN = 1 / 8

/** Shared by every view not yet used (never written to). */
const NO_PEERS: NodeId[] = []
const NO_NUMBERS: number[] = []

export class ActiveView {
  readonly capacity: number
  // Allocated at the first add, at exactly `capacity` (a pushed array keeps up to half again as slack).
  private peers: NodeId[] = NO_PEERS
  private numbers: number[] = NO_NUMBERS
  private count = 0

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get size(): number {
    return this.count
  }

  get isFull(): boolean {
    return this.count >= this.capacity
  }

  indexOf(id: NodeId): number {
    for (let i = 0; i < this.count; i++) if (this.peers[i] === id) return i
    return -1
  }

  has(id: NodeId): boolean {
    return this.indexOf(id) >= 0
  }

  idAt(index: number): NodeId {
    return this.peers[index] as NodeId
  }

  ids(): NodeId[] {
    return this.peers.slice(0, this.count)
  }

  /** Reached at random: counts towards the long-link quota. */
  isLong(index: number): boolean {
    return this.numbers[index * FIELDS + LONG] === 1
  }

  /** Local time anything was last heard from the neighbour at `index`. */
  heardAt(index: number): Millis {
    return this.numbers[index * FIELDS + HEARD_AT] as number
  }

  heard(index: number, now: Millis): void {
    this.numbers[index * FIELDS + HEARD_AT] = now
  }

  /** Smoothed round trip (RFC 6298's SRTT); NaN until measured. */
  rttAt(index: number): number {
    return this.numbers[index * FIELDS + RTT] as number
  }

  /** Whether the RTT is unknown and no ping has been in flight for the last `withinMs`. */
  unmeasured(index: number, now: Millis, withinMs: number): boolean {
    const base = index * FIELDS
    if (!Number.isNaN(this.numbers[base + RTT] as number)) return false
    const sentAt = this.numbers[base + PING_SENT_AT] as number
    return Number.isNaN(sentAt) || now - sentAt >= withinMs
  }

  /** Notes a ping sent with `nonce` (a later ping replaces an unanswered one). */
  pinged(index: number, nonce: number, now: Millis): void {
    this.numbers[index * FIELDS + PING_NONCE] = nonce
    this.numbers[index * FIELDS + PING_SENT_AT] = now
  }

  /** A pong: folds its round trip into the smoothed RTT when it answers the ping in flight. */
  ponged(index: number, nonce: number, now: Millis): void {
    const base = index * FIELDS
    const sentAt = this.numbers[base + PING_SENT_AT] as number
    if (Number.isNaN(sentAt) || this.numbers[base + PING_NONCE] !== nonce) return
    const sample = now - sentAt
    const rtt = this.numbers[base + RTT] as number
    this.numbers[base + RTT] = Number.isNaN(rtt) ? sample : rtt + RTT_GAIN * (sample - rtt)
    this.numbers[base + PING_SENT_AT] = Number.NaN
  }

  /** Adds a neighbour; ignored when full (the caller makes room first, so the bound always holds). */
  add(id: NodeId, long: boolean, now: Millis, rttMs: number): void {
    if (this.count >= this.capacity) return
    if (this.peers === NO_PEERS) {
      this.peers = new Array<NodeId>(this.capacity).fill('')
      this.numbers = new Array<number>(this.capacity * FIELDS).fill(Number.NaN)
    }
    const base = this.count * FIELDS
    this.peers[this.count++] = id
    this.numbers[base + HEARD_AT] = now
    this.numbers[base + RTT] = rttMs
    this.numbers[base + PING_NONCE] = 0
    this.numbers[base + PING_SENT_AT] = Number.NaN
    this.numbers[base + LONG] = long ? 1 : 0
  }

  /** Removes `id` (moving the last entry into its place); its RTT (NaN when unmeasured), or undefined. */
  remove(id: NodeId): number | undefined {
    const index = this.indexOf(id)
    if (index < 0) return undefined
    const rtt = this.rttAt(index)
    const last = --this.count
    this.peers[index] = this.peers[last] as NodeId
    for (let field = 0; field < FIELDS; field++) {
      this.numbers[index * FIELDS + field] = this.numbers[last * FIELDS + field] as number
    }
    this.peers[last] = ''
    return rtt
  }

  longCount(): number {
    let count = 0
    for (let i = 0; i < this.count; i++) if (this.isLong(i)) count++
    return count
  }

  /** A random neighbour other than `a` and `b`, or undefined when there is none. */
  pick(random: Random, a?: NodeId, b?: NodeId): NodeId | undefined {
    let eligible = 0
    for (let i = 0; i < this.count; i++) if (this.peers[i] !== a && this.peers[i] !== b) eligible++
    if (eligible === 0) return undefined
    let skip = random.intBelow(eligible)
    for (let i = 0; i < this.count; i++) {
      const id = this.peers[i] as NodeId
      if (id === a || id === b) continue
      if (skip-- === 0) return id
    }
    return undefined
  }

  /** Up to `count` distinct random neighbours other than `except`. */
  sample(random: Random, count: number, except?: NodeId): NodeId[] {
    return random.sample(
      this.ids().filter((id) => id !== except),
      count,
    )
  }

  /**
   * The neighbour to drop to make room, at random as the paper does, but never one whose loss would
   * take the long links below `longLinks` while a near one could go instead.
   */
  pickEviction(random: Random, longLinks: number): NodeId | undefined {
    const near = this.ids().filter((_, i) => !this.isLong(i))
    const protectLong = this.longCount() <= longLinks && near.length > 0
    return random.pick(protectLong ? near : this.ids())
  }

  /**
   * The neighbour a nearer peer may replace: the one with the highest measured RTT among the near ones,
   * and among the long ones too while there are more than `longLinks` of them, skipping those `kept`.
   * Undefined when none of them has been measured.
   */
  farthestReplaceable(
    longLinks: number,
    kept: (id: NodeId) => boolean = () => false,
  ): { readonly id: NodeId; readonly rttMs: number; readonly long: boolean } | undefined {
    const longSpare = this.longCount() > longLinks
    let farthest = -1
    for (let i = 0; i < this.count; i++) {
      if ((this.isLong(i) && !longSpare) || Number.isNaN(this.rttAt(i))) continue
      if (kept(this.peers[i] as NodeId)) continue
      if (farthest < 0 || this.rttAt(i) > this.rttAt(farthest)) farthest = i
    }
    if (farthest < 0) return undefined
    return { id: this.idAt(farthest), rttMs: this.rttAt(farthest), long: this.isLong(farthest) }
  }

  /** A near neighbour to give up for a long link when the quota is short: the farthest measured, else any. */
  farthestNear(random: Random): NodeId | undefined {
    let farthest = -1
    for (let i = 0; i < this.count; i++) {
      if (this.isLong(i) || Number.isNaN(this.rttAt(i))) continue
      if (farthest < 0 || this.rttAt(i) > this.rttAt(farthest)) farthest = i
    }
    if (farthest >= 0) return this.idAt(farthest)
    return random.pick(this.ids().filter((_, i) => !this.isLong(i)))
  }
}
