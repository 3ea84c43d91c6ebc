/**
 * Lifeguard's local health multiplier (arXiv 1707.00788, §IV-A; memberlist `awareness.go`). A node that
 * misses acks it should have had, or has to refute suspicions about itself, is probably the slow one: it
 * stretches its own probe interval and timeouts instead of accusing healthy peers.
 */
export class Awareness {
  private score = 0
  private readonly max: number

  /** `max` is the largest multiplier (memberlist: 8), so the score runs from 0 to max − 1. */
  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max))
  }

  /** Positive delta: evidence of our own trouble; negative: a probe round that went well. */
  apply(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta))
  }

  get health(): number {
    return this.score
  }

  scale(durationMs: number): number {
    return durationMs * (this.score + 1)
  }
}
