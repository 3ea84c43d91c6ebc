/**
 * Per-origin token buckets: each origin may have `ratePerSecond` batches merged here, in bursts of
 * `burst`. A flood from one origin empties only its own bucket, so the others' batches go on being merged
 * at full speed. Origins are kept in a bounded map (least recently heard evicted, counted): an evicted
 * origin starts again with a full bucket, which costs at most one burst per eviction.
 */
import { BoundedMap, type Millis } from '../../kernel/index.ts'

interface Bucket {
  tokens: number
  at: Millis
}

export class OriginRateLimit {
  private readonly buckets: BoundedMap<string, Bucket>
  private readonly ratePerMs: number
  private readonly burst: number

  constructor(ratePerSecond: number, burst: number, maxOrigins: number) {
    this.ratePerMs = ratePerSecond / 1000
    this.burst = burst
    this.buckets = new BoundedMap(maxOrigins)
  }

  get evicted(): number {
    return this.buckets.evicted
  }

  /** Takes one token of `origin`'s bucket at `now`; false when it is empty. */
  take(now: Millis, origin: string): boolean {
    let bucket = this.buckets.get(origin)
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: now }
      this.buckets.set(origin, bucket)
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.ratePerMs)
      bucket.at = now
      this.buckets.touch(origin)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}
