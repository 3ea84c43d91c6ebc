/**
 * Partition detection from the share of members this node can reach (alive, itself included) among
 * those it knows and has not seen leave. SWIM only reports individual failures; losing a large share at
 * once is reported as a partition so that callers can stop trusting majority-style decisions. A crash of
 * many nodes at once looks the same from inside, and is reported the same way.
 *
 * Members that are merely suspected count as unreachable, so a partition is reported as soon as the
 * first probe rounds fail, before suspicion timeouts run out. Failed members are remembered for
 * `reapFailedAfterMs`; a partition that outlasts that is forgotten and reported healed.
 */
import type { Millis } from '../../kernel/index.ts'
import type { MembershipEvent } from './types.ts'

/** Below this many known members a share is meaningless (one failure of two is not a partition). */
const MIN_KNOWN_MEMBERS = 3

export class PartitionDetector {
  private readonly quorum: number
  partitioned = false

  constructor(quorum: number) {
    this.quorum = quorum
  }

  /** Returns the event to emit when the state flips, otherwise undefined. */
  observe(now: Millis, reachable: number, known: number): MembershipEvent | undefined {
    const below = known >= MIN_KNOWN_MEMBERS && reachable < this.quorum * known
    if (below === this.partitioned) return undefined
    this.partitioned = below
    return below
      ? { type: 'PartitionDetected', at: now, reachable, known }
      : { type: 'PartitionHealed', at: now, reachable, known }
  }
}
