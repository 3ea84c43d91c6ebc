/**
 * One publisher's publications on one topic, put back in sequence order for `ordered` subscriptions: a
 * cursor (the epoch and the next sequence number expected) and a reorder buffer of what arrived ahead of
 * it. A missing number is waited for `gapTimeoutMs` from the moment something behind it arrived (then it
 * is known to be missing), then skipped; the buffer's bound is its owner's to enforce (`skipGap`).
 *
 * Every stream of an epoch starts at seq 1, so a publication lost at the very start is waited for like
 * any other; a gap skipped before anything of the epoch was delivered says `before-first`, since a
 * subscriber that started hearing the publisher mid-stream cannot tell its late start from a loss. A later epoch is a restart of the publisher: what the old epoch still held back is let go in
 * order and the cursor starts again at 1; an earlier epoch is a late message of a past life, refused.
 *
 * The buffer is a Map in arrival order, so its first entry is the earliest arrival: the one whose wait
 * decides the deadline. Sizes are bounded by the caller, so finding the lowest number to skip to is a
 * scan of at most `maxBufferedPerPublisher` entries, done once per gap skipped.
 */
import type { Millis } from '../../kernel/index.ts'
import type { GapReason } from './types.ts'

/** Where a stream's deliveries and skips go. */
export interface StreamSink<T> {
  deliver(item: T): void
  skipped(epoch: number, fromSeq: number, toSeq: number, reason: GapReason): void
}

interface Held<T> {
  readonly item: T
  readonly bytes: number
  readonly arrivedAt: Millis
}

/** What became of an offered publication. */
export type Offered = 'delivered' | 'held' | 'late' | 'stale'

export class OrderedStream<T> {
  /** The epoch being followed; undefined until the first publication. */
  private epoch: number | undefined
  private nextSeq = 1
  /** Whether anything of this epoch was delivered: a gap before the first is told apart. */
  private started = false
  private readonly held = new Map<number, Held<T>>()
  /** Payload bytes held back. */
  heldBytes = 0
  private readonly gapTimeoutMs: Millis

  constructor(gapTimeoutMs: Millis) {
    this.gapTimeoutMs = gapTimeoutMs
  }

  get size(): number {
    return this.held.size
  }

  /** When the gap in front of the held publications is to be skipped; undefined while none is held. */
  get dueAt(): Millis | undefined {
    const first = this.held.values().next()
    return first.done ? undefined : first.value.arrivedAt + this.gapTimeoutMs
  }

  offer(now: Millis, epoch: number, seq: number, item: T, bytes: number, sink: StreamSink<T>): Offered {
    if (this.epoch === undefined || epoch > this.epoch) {
      if (this.epoch !== undefined) this.flush('restarted', sink)
      this.epoch = epoch
      this.nextSeq = 1
      this.started = false
    } else if (epoch < this.epoch) {
      return 'stale'
    }
    if (seq < this.nextSeq || this.held.has(seq)) return 'late'
    if (seq > this.nextSeq) {
      this.held.set(seq, { item, bytes, arrivedAt: now })
      this.heldBytes += bytes
      return 'held'
    }
    this.nextSeq++
    this.started = true
    sink.deliver(item)
    this.deliverRun(sink)
    return 'delivered'
  }

  /** Skips the gap in front of the lowest held publication and delivers from it on; false if none is held. */
  skipGap(reason: GapReason, sink: StreamSink<T>): boolean {
    let lowest = Number.POSITIVE_INFINITY
    for (const seq of this.held.keys()) if (seq < lowest) lowest = seq
    if (lowest === Number.POSITIVE_INFINITY) return false
    sink.skipped(this.epoch as number, this.nextSeq, lowest - 1, this.started ? reason : 'before-first')
    this.nextSeq = lowest
    this.deliverRun(sink)
    return true
  }

  /** Lets everything held go, in order, skipping each gap: the publisher is about to be forgotten. */
  flush(reason: GapReason, sink: StreamSink<T>): void {
    let more = true
    while (more) more = this.skipGap(reason, sink)
  }

  /** Drops what is held without delivering it (the last `ordered` subscription went); how many. */
  clear(): number {
    const dropped = this.held.size
    this.held.clear()
    this.heldBytes = 0
    return dropped
  }

  private deliverRun(sink: StreamSink<T>): void {
    for (let next = this.held.get(this.nextSeq); next !== undefined; next = this.held.get(this.nextSeq)) {
      this.held.delete(this.nextSeq)
      this.heldBytes -= next.bytes
      this.nextSeq++
      this.started = true
      sink.deliver(next.item)
    }
  }
}
