/**
 * HyParView's passive view (Leitão, Pereira, Rodrigues, DSN 2007, §4.2): the replacement pool from which
 * a node repairs its active view. It is the only place an id a peer merely *named* (in a FORWARD_JOIN,
 * a shuffle sample) can land, so it is what bounds the state a peer can make this node hold: a fixed
 * number of ids, the oldest claim replaced at random as the paper does.
 *
 * Departure: each entry keeps the round trip last measured to it (NaN when never), from a probe, a
 * refused request or its time as a neighbour, so a repair can prefer a near peer and X-BOT (Leitão et
 * al., SRDS 2009; `overlay.ts`) can find a nearer one to swap in. Two parallel arrays of exactly
 * `capacity` slots, no map.
 */
import type { NodeId, Random } from '../../kernel/index.ts'

/** Shared by every view not yet used (never written to). */
const NO_IDS: NodeId[] = []
const NO_RTTS: number[] = []

export class PassiveView {
  readonly capacity: number
  private readonly random: Random
  // Allocated at the first add, at exactly `capacity`: a pushed array keeps up to half again as slack.
  private entries: NodeId[] = NO_IDS
  private rtts: number[] = NO_RTTS
  private count = 0

  constructor(capacity: number, random: Random) {
    this.capacity = capacity
    this.random = random
  }

  get size(): number {
    return this.count
  }

  ids(): NodeId[] {
    return this.entries.slice(0, this.count)
  }

  indexOf(id: NodeId): number {
    for (let i = 0; i < this.count; i++) if (this.entries[i] === id) return i
    return -1
  }

  has(id: NodeId): boolean {
    return this.indexOf(id) >= 0
  }

  rttOf(id: NodeId): number | undefined {
    const index = this.indexOf(id)
    return index < 0 ? undefined : (this.rtts[index] as number)
  }

  setRtt(id: NodeId, rttMs: number): void {
    const index = this.indexOf(id)
    if (index >= 0) this.rtts[index] = rttMs
  }

  /**
   * Adds `id` (the caller has ruled out itself and its neighbours). When full, makes room by dropping
   * the first of `evictFirst` still held — ids this node just handed to a shuffle partner, which now
   * live on there — and otherwise a random entry (the paper's rule). A known RTT is kept; an id already
   * held keeps its place and takes a newly known RTT.
   */
  add(id: NodeId, rttMs = Number.NaN, evictFirst: readonly NodeId[] = NO_IDS): void {
    if (this.capacity === 0) return
    const held = this.indexOf(id)
    if (held >= 0) {
      if (!Number.isNaN(rttMs)) this.rtts[held] = rttMs
      return
    }
    if (this.entries === NO_IDS) {
      this.entries = new Array<NodeId>(this.capacity).fill('')
      this.rtts = new Array<number>(this.capacity).fill(Number.NaN)
    }
    let slot = this.count
    if (this.count >= this.capacity) {
      slot = -1
      for (const candidate of evictFirst) {
        slot = this.indexOf(candidate)
        if (slot >= 0) break
      }
      if (slot < 0) slot = this.random.intBelow(this.count)
    } else this.count++
    this.entries[slot] = id
    this.rtts[slot] = rttMs
  }

  /** Removes `id`; returns its RTT (NaN when unmeasured), or undefined when it was not held. */
  remove(id: NodeId): number | undefined {
    const index = this.indexOf(id)
    if (index < 0) return undefined
    const rtt = this.rtts[index] as number
    const last = --this.count
    this.entries[index] = this.entries[last] as NodeId
    this.rtts[index] = this.rtts[last] as number
    this.entries[last] = ''
    return rtt
  }

  /** Up to `count` distinct random ids. */
  sample(count: number): NodeId[] {
    return this.random.sample(this.ids(), count)
  }

  /** A random id not `excluded`, or undefined. */
  pickRandom(excluded: (id: NodeId) => boolean): NodeId | undefined {
    let eligible = 0
    for (let i = 0; i < this.count; i++) if (!excluded(this.entries[i] as NodeId)) eligible++
    if (eligible === 0) return undefined
    let skip = this.random.intBelow(eligible)
    for (let i = 0; i < this.count; i++) {
      const id = this.entries[i] as NodeId
      if (excluded(id)) continue
      if (skip-- === 0) return id
    }
    return undefined
  }

  /** The measured id with the lowest RTT, not `excluded`, or undefined when none is measured. */
  nearest(excluded: (id: NodeId) => boolean): { readonly id: NodeId; readonly rttMs: number } | undefined {
    let best = -1
    for (let i = 0; i < this.count; i++) {
      const rtt = this.rtts[i] as number
      if (Number.isNaN(rtt) || excluded(this.entries[i] as NodeId)) continue
      if (best < 0 || rtt < (this.rtts[best] as number)) best = i
    }
    return best < 0 ? undefined : { id: this.entries[best] as NodeId, rttMs: this.rtts[best] as number }
  }

  /** A random id never measured (not `excluded`), else a random one: what a probe should ask next. */
  pickToProbe(excluded: (id: NodeId) => boolean): NodeId | undefined {
    return this.pickUnmeasured(excluded) ?? this.pickRandom(excluded)
  }

  /** A random id never measured and not `excluded`, or undefined. */
  pickUnmeasured(excluded: (id: NodeId) => boolean): NodeId | undefined {
    let unmeasured = 0
    for (let i = 0; i < this.count; i++) {
      if (Number.isNaN(this.rtts[i]) && !excluded(this.entries[i] as NodeId)) unmeasured++
    }
    if (unmeasured === 0) return undefined
    let skip = this.random.intBelow(unmeasured)
    for (let i = 0; i < this.count; i++) {
      const id = this.entries[i] as NodeId
      if (!Number.isNaN(this.rtts[i]) || excluded(id)) continue
      if (skip-- === 0) return id
    }
    return undefined
  }
}
