/**
 * One side's summaries of its ranges for one reconciliation (salt and fingerprint length fixed): the
 * fingerprints of a split, the fallback that asks a range again, and the cover of the key space from a
 * point on that a full message ends with (`rbsr.ts`).
 */
import { varUintBytes } from '../../kernel/index.ts'
import type { ItemIndex, Span } from './item-index.ts'
import { equalBytes, rangeFingerprint } from './range-fingerprint.ts'
import { childRange, coverFrom, KEY_BITS, type Range, rangeStart } from './ranges.ts'
import type { ChildSummary, RbsrEntry } from './rbsr-codec.ts'
import type { ReplyBuilder } from './reply-builder.ts'

const EMPTY = new Uint8Array(0)

export class RangeSummaries {
  private readonly index: ItemIndex
  private readonly salt: number
  private readonly fingerprintBytes: number

  constructor(index: ItemIndex, salt: number, fingerprintBytes: number) {
    this.index = index
    this.salt = salt
    this.fingerprintBytes = fingerprintBytes
  }

  /** This side's fingerprints of the fewest dyadic ranges that cover the key space from `start` on. */
  cover(reply: ReplyBuilder, start: number): void {
    for (const range of coverFrom(start)) {
      reply.add(this.fallback(range, this.index.span(range)), this.fingerprintBytes)
    }
  }

  /**
   * Bytes a cover takes at most, from wherever it starts: `KEY_BITS` ranges, each an address (depth and
   * gap, 9 bytes at most), mode, child bits, total, the one count and a fingerprint.
   */
  coverBytes(): number {
    return KEY_BITS * (9 + 1 + 1 + varUintBytes(this.index.size) + 1 + this.fingerprintBytes)
  }

  split(range: Range, lo: number, hi: number, childBits: number): RbsrEntry {
    const bounds = this.childBounds(range, childBits, { lo, hi })
    const children: ChildSummary[] = []
    for (let child = 0; child < 2 ** childBits; child++) {
      children.push(this.summary(bounds[child] as number, bounds[child + 1] as number))
    }
    return { mode: 'fingerprints', range, childBits, children }
  }

  /** This side's fingerprint of a whole range: the question asked again when its answer did not fit. */
  fallback(range: Range, span: Span): RbsrEntry {
    return { mode: 'fingerprints', range, childBits: 0, children: [this.summary(span.lo, span.hi)] }
  }

  summary(lo: number, hi: number): ChildSummary {
    const count = hi - lo
    if (count === 0) return { count, fingerprint: EMPTY }
    return { count, fingerprint: this.fingerprint(lo, hi) }
  }

  fingerprint(lo: number, hi: number): Uint8Array {
    return rangeFingerprint(this.salt, this.index.sum(lo, hi), hi - lo, this.fingerprintBytes)
  }

  matches(theirs: ChildSummary, lo: number, hi: number): boolean {
    if (theirs.count !== hi - lo) return false
    return theirs.count === 0 || equalBytes(theirs.fingerprint, this.fingerprint(lo, hi))
  }

  /** Positions where each child of `range` starts, and where the last ends. */
  childBounds(range: Range, childBits: number, span: Span): number[] {
    const bounds = [span.lo]
    for (let child = 1; child < 2 ** childBits; child++) {
      const start = rangeStart(childRange(range, childBits, child))
      bounds.push(this.index.lowerBound(start, bounds[child - 1] as number, span.hi))
    }
    bounds.push(span.hi)
    return bounds
  }
}
