/**
 * This node's successor on a hash ring of the members it holds alive or suspect: the member it probes
 * every other round (`prober.ts`), so that every member has one monitor that probes it at a steady
 * pace.
 *
 * Why. SWIM's randomized round robin bounds how long one prober takes to reach a member (two passes,
 * SWIM §4.3), not how long until *anyone* probes it: each of the n − 1 probers picks a given member in a
 * round with probability ≈ 1/n, independently, so the wait for the first probe of a crashed member is
 * geometric — no probe in k rounds with probability ≈ e^−k (SWIM §3.1: expected e/(e − 1) rounds). At
 * 100 ms rounds, one crash in a hundred waits 460 ms before anyone looks, and one in twenty thousand a
 * whole second (seed 1 of `bench/membership.ts` at 1,000 nodes and 5 % loss: 1,029 ms without a probe of
 * the crashed node, detected at 1,576 ms). A monitor on a ring, as in Rapid's K rings (Suresh et al.,
 * USENIX ATC 2018) with K = 1, probes each member at least every two rounds while views agree.
 * Departure from Rapid: the ring only adds one steady prober to SWIM's random ones, which keep
 * completeness when views differ or the monitor is itself down, and no monitor decides anything alone —
 * its failed probe starts an ordinary suspicion.
 *
 * Kept in O(1) per change: a member that joins (or comes back) between this node and its successor
 * becomes the successor; only the successor's own departure asks for a scan of the table, once, at the
 * next monitor round.
 */
import { hashString, type NodeId } from '../../kernel/index.ts'
import { isNotGone, type MemberState } from './types.ts'

/**
 * A member's place on the ring: a hash of its id, so that every node orders the members alike. Thirty
 * bits, so that it stays a small integer inside the member object rather than a heap number of its own.
 */
const RING_MASK = 0x3fffffff

export function ringPosition(id: NodeId): number {
  return hashString(id) & RING_MASK
}

/** What the ring needs of a member. */
export interface RingMember {
  readonly ringPosition: number
  readonly record: { readonly id: NodeId; readonly state: MemberState }
}

export class RingSuccessor<M extends RingMember> {
  private readonly selfPosition: number
  private successor: M | undefined = undefined
  /** The successor left the ring; the next `current` scans for the new one. */
  private lost = false
  /** Scans of the whole table so far (one per departure of a successor). */
  scans = 0

  constructor(self: NodeId) {
    this.selfPosition = ringPosition(self)
  }

  /** A member was added or its state changed. */
  changed(member: M): void {
    if (isNotGone(member.record.state)) {
      if (!this.lost && (this.successor === undefined || this.before(member, this.successor)))
        this.successor = member
    } else if (member === this.successor) {
      this.successor = undefined
      this.lost = true
    }
  }

  /** A member was removed from the table. */
  removed(member: M): void {
    if (member !== this.successor) return
    this.successor = undefined
    this.lost = true
  }

  /** The successor among `members`, scanning them only when the last one left. */
  current(members: readonly M[]): M | undefined {
    if (this.lost) {
      this.lost = false
      this.scans++
      this.successor = undefined
      for (const member of members) {
        if (!isNotGone(member.record.state)) continue
        if (this.successor === undefined || this.before(member, this.successor)) this.successor = member
      }
    }
    return this.successor
  }

  /** Whether `a` follows this node on the ring more closely than `b` (ties broken by id). */
  private before(a: M, b: M): boolean {
    const da = (a.ringPosition - this.selfPosition) & RING_MASK
    const db = (b.ringPosition - this.selfPosition) & RING_MASK
    return da !== db ? da < db : a.record.id < b.record.id
  }
}
