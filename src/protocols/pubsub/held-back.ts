/**
 * The publications held back over all ordered streams of a node, against their bounds: the total count
 * and bytes, which streams hold something (in the order they started to), and the earliest gap
 * deadline among them. Every change to a stream goes through `change`, so the totals stay true.
 *
 * A bound reached skips a gap early ('overflow'), never drops a publication that arrived: the stream
 * that overflows its own bound gives up its oldest gap; over the node's bounds, the stream that has held
 * back longest does. Either way each skip delivers at least one publication, so the loops end.
 */
import type { Millis } from '../../kernel/index.ts'
import type { OrderedStream, StreamSink } from './ordered-stream.ts'

/** A stream and where its deliveries go (a publisher's state on one topic). */
export interface Holder<T> {
  ordered: OrderedStream<T> | undefined
  readonly sink: StreamSink<T>
}

export interface HeldBackLimits {
  readonly maxBufferedPerPublisher: number
  readonly maxBufferedTotal: number
  readonly maxBufferedBytes: number
}

export class HeldBack<T> {
  private readonly limits: HeldBackLimits
  /** Holders with something held back, in the order they started to hold. */
  private readonly waiting = new Set<Holder<T>>()
  count = 0
  bytes = 0
  /** The earliest gap deadline; null when it must be found again. */
  private deadline: Millis | undefined | null = undefined

  constructor(limits: HeldBackLimits) {
    this.limits = limits
  }

  /** Runs `operation` on a holder's stream and keeps the totals, the waiting set and the deadline true. */
  change(holder: Holder<T>, operation: (stream: OrderedStream<T>) => void): void {
    const stream = holder.ordered
    if (stream === undefined) return
    const size = stream.size
    const bytes = stream.heldBytes
    operation(stream)
    this.count += stream.size - size
    this.bytes += stream.heldBytes - bytes
    if (stream.size === 0) this.waiting.delete(holder)
    else this.waiting.add(holder)
    this.deadline = null
  }

  /** After `holder`'s stream took a publication: skips gaps early until every bound holds again. */
  enforce(holder: Holder<T>): void {
    while ((holder.ordered?.size ?? 0) > this.limits.maxBufferedPerPublisher) {
      this.change(holder, (stream) => stream.skipGap('overflow', holder.sink))
    }
    while (this.count > this.limits.maxBufferedTotal || this.bytes > this.limits.maxBufferedBytes) {
      const oldest = this.waiting.values().next().value as Holder<T>
      this.change(oldest, (stream) => stream.skipGap('overflow', oldest.sink))
    }
  }

  /** Skips every gap that has waited its timeout by `now`. */
  skipDue(now: Millis): void {
    for (const holder of this.waiting) {
      const stream = holder.ordered as OrderedStream<T>
      for (let due = stream.dueAt; due !== undefined && due <= now; due = stream.dueAt) {
        this.change(holder, () => stream.skipGap('timeout', holder.sink))
      }
    }
  }

  nextDeadline(): Millis | undefined {
    if (this.deadline !== null) return this.deadline
    let earliest: Millis | undefined
    for (const holder of this.waiting) {
      const due = holder.ordered?.dueAt
      if (due !== undefined && (earliest === undefined || due < earliest)) earliest = due
    }
    this.deadline = earliest
    return earliest
  }
}
