/**
 * Peers this node has heard from first-hand and then lost without a goodbye: a neighbour that fell
 * silent, or a passive peer that once answered and then did not. HyParView (Leitão, Pereira, Rodrigues,
 * DSN 2007) forgets them, which is right when they crashed and wrong when a partition cut them off:
 * each side of the cut then repairs within itself, shuffles travel only over active links, so nothing
 * ever names a peer across the cut again, and after the heal the overlay stays two components
 * (hashicorp/hyparview's README says as much). Here they are kept instead, and asked again with a
 * ping on a jittered doubling backoff, from `reprobeBaseMs` up to `reprobeMaxMs`.
 *
 * Bounded by construction: at most `capacity` entries, the oldest loss displaced by a new one (counted
 * by the caller), so a node sends on average at most `capacity` pings per `reprobeMaxMs` to peers that
 * stay gone (LAN preset: 8 per 30 s, 0.27 a second), whatever the network's size. Only peers this node heard from enter, so ids
 * a peer merely names (which may be made up) can never fill it.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'

export interface DormantPeer {
  readonly id: NodeId
  /** Times in a row it was found unreachable: the loss itself, then each reprobe unanswered. */
  failures: number
  /** When the next reprobe goes out, while none is in flight. */
  retryAt: Millis
  /** The reprobe in flight (NaN `sentAt` when none). */
  nonce: number
  sentAt: Millis
}

/** Shared by every node that has lost nobody (never written to). */
const NONE: DormantPeer[] = []

export class DormantPeers {
  readonly capacity: number
  private readonly baseMs: Millis
  private readonly maxMs: Millis
  private readonly parent: Random
  /** Forked from the node's stream at the first loss, so a loss never shifts the node's other draws. */
  private random: Random | undefined
  // oldest first: a new loss displaces entries[0]
  private entries: DormantPeer[] = NONE

  constructor(capacity: number, baseMs: Millis, maxMs: Millis, random: Random) {
    this.capacity = capacity
    this.baseMs = baseMs
    this.maxMs = maxMs
    this.parent = random
  }

  get size(): number {
    return this.entries.length
  }

  has(id: NodeId): boolean {
    return this.indexOf(id) >= 0
  }

  ids(): NodeId[] {
    return this.entries.map((entry) => entry.id)
  }

  /** Remembers `id` as lost at `now`; true when that displaced the oldest entry. */
  add(id: NodeId, now: Millis): boolean {
    if (this.capacity === 0 || this.has(id)) return false
    if (this.entries === NONE) this.entries = []
    const displaced = this.entries.length >= this.capacity
    if (displaced) this.entries.shift()
    this.entries.push({ id, failures: 1, retryAt: now + this.delay(1), nonce: 0, sentAt: Number.NaN })
    return displaced
  }

  remove(id: NodeId): boolean {
    const index = this.indexOf(id)
    if (index < 0) return false
    this.entries.splice(index, 1)
    if (this.entries.length === 0) this.entries = NONE
    return true
  }

  /** The next reprobe to send or to give up on; infinity when there is none. */
  earliestDeadline(timeoutMs: Millis): Millis {
    let earliest = Number.POSITIVE_INFINITY
    for (const entry of this.entries) {
      const at = Number.isNaN(entry.sentAt) ? entry.retryAt : entry.sentAt + timeoutMs
      if (at < earliest) earliest = at
    }
    return earliest
  }

  /**
   * Gives up on reprobes unanswered for `timeoutMs` (the next waits twice as long), then starts the
   * reprobes due: calls `send` with the peer and a fresh nonce for each.
   */
  poll(now: Millis, timeoutMs: Millis, send: (id: NodeId, nonce: number) => void): void {
    for (const entry of this.entries) {
      if (!Number.isNaN(entry.sentAt) && now >= entry.sentAt + timeoutMs) {
        entry.failures++
        entry.sentAt = Number.NaN
        entry.retryAt = now + this.delay(entry.failures)
      }
      if (Number.isNaN(entry.sentAt) && now >= entry.retryAt) {
        this.random ??= this.parent.fork('dormant-peers')
        entry.nonce = this.random.nextU32()
        entry.sentAt = now
        send(entry.id, entry.nonce)
      }
    }
  }

  /**
   * A pong from `id`: when it answers the reprobe in flight, the peer is taken out and returned with
   * the round trip measured; otherwise undefined.
   */
  answered(
    id: NodeId,
    nonce: number,
    now: Millis,
  ): { readonly failures: number; readonly rttMs: number } | undefined {
    const index = this.indexOf(id)
    const entry = this.entries[index]
    if (entry === undefined || Number.isNaN(entry.sentAt) || entry.nonce !== nonce) return undefined
    this.remove(id)
    return { failures: entry.failures, rttMs: now - entry.sentAt }
  }

  /** base · 2^(failures − 1), capped, times a uniform factor in [0.5, 1.5): lost together, asked apart. */
  private delay(failures: number): Millis {
    const ms = Math.min(this.baseMs * 2 ** Math.min(failures - 1, 30), this.maxMs)
    this.random ??= this.parent.fork('dormant-peers')
    return ms * (0.5 + this.random.float())
  }

  private indexOf(id: NodeId): number {
    for (let i = 0; i < this.entries.length; i++) if ((this.entries[i] as DormantPeer).id === id) return i
    return -1
  }
}
