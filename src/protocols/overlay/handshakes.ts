/**
 * The requests this node has sent and awaits an answer to: a JOIN to a contact, or a NEIGHBOR request
 * (after a FORWARD_JOIN walk ended here, to repair the active view, or to swap in a nearer peer). A
 * node adds a peer to its active view only once the peer has accepted (or when it accepts the peer's
 * own request), which is what keeps the views symmetric over a message transport (the paper relies on
 * TCP connections for that; see `types.ts`).
 *
 * Bounded by construction: a few entries, each with a deadline; a request that would exceed the bound
 * is not sent (the caller counts it). A FORWARD_JOIN naming a made-up id costs one entry here until its
 * deadline, never a place in the active view.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'

/**
 * - `join`: a JOIN to a contact.
 * - `walk`: a high-priority NEIGHBOR to the joiner a FORWARD_JOIN walk announced (the paper's
 *   `addNodeActiveView(newNode)` at the walk's end).
 * - `repair`: a NEIGHBOR to a passive peer for a free active slot.
 * - `swap`: an OPTIMIZE to a nearer passive peer (X-BOT's exchange, `overlay.ts`), or a NEIGHBOR to a
 *   random one when the long-link quota is short, that replaces `replaces` once it accepts.
 * - `merge`: a high-priority NEIGHBOR to a lost peer that answered again after a reprobe had failed:
 *   perhaps the other side of a healed partition (`dormant-peers.ts`, `overlay.ts`).
 */
export type HandshakeKind = 'join' | 'walk' | 'repair' | 'swap' | 'merge'

export interface Handshake {
  readonly peer: NodeId
  readonly kind: HandshakeKind
  readonly long: boolean
  readonly deadline: Millis
  readonly replaces: NodeId | undefined
  /** When the request left: its answer, when it comes straight back, is a round-trip sample. */
  readonly sentAt: Millis
}

export class Handshakes {
  readonly capacity: number
  private readonly entries: Handshake[] = []

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get size(): number {
    return this.entries.length
  }

  find(peer: NodeId): Handshake | undefined {
    for (const entry of this.entries) if (entry.peer === peer) return entry
    return undefined
  }

  /** Whether a request of one of `kinds` is in flight. */
  hasKind(...kinds: HandshakeKind[]): boolean {
    for (const entry of this.entries) if (kinds.includes(entry.kind)) return true
    return false
  }

  countKind(...kinds: HandshakeKind[]): number {
    let count = 0
    for (const entry of this.entries) if (kinds.includes(entry.kind)) count++
    return count
  }

  /** Whether a swap in flight would drop `peer` once accepted. */
  replacing(peer: NodeId): boolean {
    for (const entry of this.entries) if (entry.replaces === peer) return true
    return false
  }

  /** Swaps in flight whose neighbour to drop is already gone: each will fill a free slot when accepted. */
  countOrphanedSwaps(isNeighbor: (id: NodeId) => boolean): number {
    let count = 0
    for (const entry of this.entries) {
      if (entry.kind === 'swap' && entry.replaces !== undefined && !isNeighbor(entry.replaces)) count++
    }
    return count
  }

  /** Records a request; false when full or when one to the same peer is already in flight. */
  add(handshake: Handshake): boolean {
    if (this.entries.length >= this.capacity || this.find(handshake.peer) !== undefined) return false
    this.entries.push(handshake)
    return true
  }

  /** Removes and returns the request to `peer`, if any. */
  take(peer: NodeId): Handshake | undefined {
    const index = this.entries.findIndex((entry) => entry.peer === peer)
    if (index < 0) return undefined
    return this.entries.splice(index, 1)[0]
  }

  /** Removes and returns the first request whose deadline has passed. */
  takeExpired(now: Millis): Handshake | undefined {
    const index = this.entries.findIndex((entry) => entry.deadline <= now)
    if (index < 0) return undefined
    return this.entries.splice(index, 1)[0]
  }

  earliestDeadline(): Millis {
    let earliest = Number.POSITIVE_INFINITY
    for (const entry of this.entries) if (entry.deadline < earliest) earliest = entry.deadline
    return earliest
  }

  peers(): NodeId[] {
    return this.entries.map((entry) => entry.peer)
  }

  clear(): void {
    this.entries.length = 0
  }
}
