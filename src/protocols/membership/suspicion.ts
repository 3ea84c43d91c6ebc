/**
 * Lifeguard's dynamic suspicion timeout (Dadgar et al., arXiv 1707.00788, §IV-B; memberlist
 * `suspicion.go`). A suspicion starts at its maximum timeout and shrinks logarithmically towards the
 * minimum as independent confirmations arrive:
 *
 *     timeout(c) = max(min, max − (max − min) · log(c + 1) / log(k + 1))
 *
 * where k is the number of confirmations expected. A lone accuser on a bad link therefore waits long
 * enough for the suspect to refute, while a real crash seen by several members is declared quickly.
 * The timer is data: the owner asks for `deadline()` and compares it with `now` — no clocks here.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'

export class Suspicion {
  readonly incarnation: number
  readonly startedAt: Millis
  /** The shortest this suspicion can be (all confirmations in). */
  readonly minMs: Millis
  private readonly maxMs: Millis
  private readonly expected: number
  /**
   * When this node gave the suspect its last word (see `Membership`), or undefined before. Conviction
   * waits at least one last-word lead after it, so the suspect always has the time to answer.
   */
  warnedAt: Millis | undefined
  /** Last words sent so far (the owner sends a few, spread over the lead, so that one lost message does not convict). */
  lastWords = 0
  /**
   * The latest conviction a remote verdict allows: another node has convicted the suspect, so this node
   * needs no more confirmations, only the suspect's silence to its last words (see `Membership`).
   */
  private verdictCutoff: Millis = Number.POSITIVE_INFINITY
  /** Distinct accusers so far, the first included; bounded by `expected + 1`. */
  private readonly accusers = new Set<NodeId>()

  constructor(
    incarnation: number,
    startedAt: Millis,
    firstAccuser: NodeId,
    expected: number,
    minMs: Millis,
    maxMs: Millis,
  ) {
    this.incarnation = incarnation
    this.startedAt = startedAt
    this.expected = expected
    this.minMs = minMs
    this.maxMs = Math.max(minMs, maxMs)
    this.accusers.add(firstAccuser)
  }

  /** Confirmations beyond the first accuser. */
  get confirmations(): number {
    return this.accusers.size - 1
  }

  /** Records an accusation; true when it came from a new accuser and shortened the timeout. */
  confirm(from: NodeId): boolean {
    if (this.confirmations >= this.expected || this.accusers.has(from)) return false
    this.accusers.add(from)
    return true
  }

  timeoutMs(): Millis {
    if (this.expected < 1) return this.minMs
    const fraction = Math.log(this.confirmations + 1) / Math.log(this.expected + 1)
    return Math.max(this.minMs, this.maxMs - fraction * (this.maxMs - this.minMs))
  }

  /** A remote verdict: run out no later than `at` (earlier verdicts keep theirs); true for the first one. */
  convictBy(at: Millis): boolean {
    const first = this.verdictCutoff === Number.POSITIVE_INFINITY
    this.verdictCutoff = Math.min(this.verdictCutoff, at)
    return first
  }

  deadline(): Millis {
    return Math.min(this.startedAt + this.timeoutMs(), this.verdictCutoff)
  }
}
