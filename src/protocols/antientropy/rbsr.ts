/**
 * Range-based set reconciliation (Meyer, "Range-Based Set Reconciliation", arXiv 2212.13567; Negentropy,
 * hoytech/negentropy, protocol v1): two sides with sorted sets of 32-byte ids exchange fingerprints of
 * ranges, drop the ranges that agree, and split or list those that do not, until each side knows the ids
 * only it holds (`have`) and the ids only the other holds (`need`).
 *
 * A `Reconciler` is one side of one reconciliation. It keeps no state about ranges: every message names
 * the ranges it is about, and the answer to each is computed from the message and this side's items, as
 * in Negentropy. Unlike Negentropy the exchange is symmetric after the first message — either side may
 * split, list or decode — and both sides end knowing both `have` and `need`.
 *
 * Departures from Negentropy v1, each for bytes or round trips (`bench/reconciliation.ts` measures them):
 * - Ranges are dyadic intervals of the hash space, addressed compactly (`ranges.ts`).
 * - Fingerprints are 4 bytes and salted per session (`range-fingerprint.ts`).
 * - Cells: a range whose counts differ by one is answered with its 256-bit sum, which the other side
 *   turns into the missing id by subtracting its own (`item-index.ts`); a range with one difference is
 *   settled without splitting down to it. The side with the item fewer sends only the sum's low 8
 *   bytes: the side with the item finds it by the prefix they make and gives it.
 * - Splits are as wide as the estimated differences need (`estimate.ts`, `policy.ts`), not always 16.
 * - The answer to an id list carries only the difference (ids the lister lacks, and a bitmap of listed
 *   ids the answerer lacks), not the answerer's own list.
 *
 * Bounds: a message never exceeds `maxMessageBytes` (`answer`): a range whose answer does not fit is
 * asked again, never forgotten, and the configuration keeps one answer within an eighth of a message, so
 * every message answers its first question in full and a reconciliation always progresses. Hostile input
 * is refused with a reason; what it can make this side hold is bounded by the message and `maxNeed`.
 */
import { type DecodeErrorReason, err, ok, type Result } from '../../kernel/index.ts'
import type { RbsrConfig } from './config.ts'
import { type ChildObservation, estimateDensity, expectedDifferences } from './estimate.ts'
import {
  checkHash,
  compareIds,
  ID_BYTES,
  ID_PREFIX_BYTES,
  type ItemIndex,
  idKey,
  type Span,
  subtractLittleEndian,
} from './item-index.ts'
import { type AnswerLimits, answerFor, type Disagreement } from './policy.ts'
import { RangeSummaries } from './range-summaries.ts'
import { childRange, containsId, type Range, rangeStart, WHOLE_SPACE } from './ranges.ts'
import {
  type ChildSummary,
  decodeRbsrMessage,
  encodeRbsrMessage,
  isQuestion,
  type RbsrEntry,
  type RbsrLimits,
} from './rbsr-codec.ts'
import { ReplyBuilder } from './reply-builder.ts'

export type RbsrRejection = DecodeErrorReason | 'salt-mismatch' | 'fingerprint-length-mismatch'

export interface ReconcileStep {
  /** The message to send back; undefined when the other side expects nothing. */
  readonly reply: Uint8Array | undefined
  /** Nothing more will be sent or received in this reconciliation. */
  readonly done: boolean
}

/** The fewest bytes an entry takes (address, mode, a one-byte payload): what caps a message's entries. */
const MIN_ENTRY_BYTES = 4

export function maxEntriesFor(config: RbsrConfig): number {
  return Math.floor(config.maxMessageBytes / MIN_ENTRY_BYTES)
}

export class Reconciler {
  private readonly index: ItemIndex
  private readonly config: RbsrConfig
  private readonly limits: RbsrLimits
  private readonly answerLimits: AnswerLimits
  private salt: number | undefined
  private fingerprintBytes: number
  /** Built for the session's salt: at construction for the initiator, from the first message otherwise. */
  private summaries: RangeSummaries
  private readonly haveIds = new Map<string, Uint8Array>()
  private readonly needIds = new Map<string, Uint8Array>()
  readonly counters = {
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    /** Ranges answered with a fingerprint again because the answer did not fit this message. */
    deferred: 0,
    /** Cells sent, and received cells that decoded to one id. */
    cellsSent: 0,
    cellsDecoded: 0,
    /** Ids the other side claimed we lack or hold that were not so; id-list replies of the wrong length. */
    refused: 0,
    /** Ids not taken into `need` because it held `maxNeed`. */
    needDropped: 0,
    /** Deepest ranges with more ids than a message can list. */
    unresolvable: 0,
  }

  /** `salt` for the side that sends the first message; the other side takes the salt it is sent. */
  constructor(index: ItemIndex, config: RbsrConfig, salt?: number) {
    this.index = index
    this.config = config
    this.salt = salt === undefined ? undefined : salt >>> 0
    this.fingerprintBytes = config.fingerprintBytes
    this.summaries = new RangeSummaries(index, this.salt ?? 0, this.fingerprintBytes)
    this.limits = {
      maxEntries: maxEntriesFor(config),
      maxChildBits: Math.max(config.rootChildBits, config.maxChildBits),
    }
    this.answerLimits = { maxIds: Math.floor(config.maxMessageBytes / 8 / ID_BYTES) }
  }

  /** Ids only this side holds, found so far. */
  get have(): Uint8Array[] {
    return [...this.haveIds.values()]
  }

  /** Ids only the other side holds, found so far. */
  get need(): Uint8Array[] {
    return [...this.needIds.values()]
  }

  /** Messages both ways, halved: the initiator's first message and its answer are one round trip. */
  get roundTrips(): number {
    return Math.ceil((this.counters.messagesSent + this.counters.messagesReceived) / 2)
  }

  /** The first message: fingerprints of the whole space split 2^rootChildBits ways. */
  initiate(): Uint8Array {
    if (this.salt === undefined) throw new RangeError('the initiating side needs a salt')
    const reply = new ReplyBuilder()
    reply.add(
      this.summaries.split(WHOLE_SPACE, 0, this.index.size, this.config.rootChildBits),
      this.fingerprintBytes,
    )
    return this.send(reply)
  }

  /** Takes the other side's message and returns the answer. Never throws. */
  reconcile(bytes: Uint8Array): Result<ReconcileStep, RbsrRejection> {
    this.counters.messagesReceived++
    this.counters.bytesReceived += bytes.length
    if (bytes.length > this.config.maxMessageBytes) return err('frame-too-large')
    const decoded = decodeRbsrMessage(bytes, this.limits)
    if (!decoded.ok) return decoded
    const message = decoded.value
    if (this.salt === undefined) {
      this.salt = message.salt
      this.fingerprintBytes = message.fingerprintBytes
      this.summaries = new RangeSummaries(this.index, this.salt, this.fingerprintBytes)
    } else if (message.salt !== this.salt) return err('salt-mismatch')
    else if (message.fingerprintBytes !== this.fingerprintBytes) return err('fingerprint-length-mismatch')

    for (const id of message.give) this.learnNeed(id)
    for (const prefix of message.taken) {
      for (const position of this.index.withPrefix(prefix)) this.learnHave(this.idAt(position))
    }
    const questions = message.entries.filter(isQuestion)
    for (const entry of message.entries) if (entry.mode === 'id-list-reply') this.takeListReply(entry)

    const reply = this.answer(questions)
    if (questions.length === 0 && reply.isEmpty()) return ok({ reply: undefined, done: true })
    return ok({ reply: this.send(reply), done: reply.questions === 0 })
  }

  // ── answering ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Answers the questions in key order, each in full if it fits, else with this side's fingerprint of its
   * range (asked again next round), else — when not even that fits — with fingerprints covering the rest
   * of the key space from that range on, and stops. Room for the largest cover is kept throughout, so the
   * message stays within budget and no range is forgotten: a covered range is split again from coarser
   * ranges next round (Negentropy likewise ends a full frame with one fingerprint for the rest).
   */
  private answer(questions: readonly RbsrEntry[]): ReplyBuilder {
    const reply = new ReplyBuilder()
    const room = this.config.maxMessageBytes - this.summaries.coverBytes()
    const spans = questions.map((entry) => this.index.span(entry.range))
    const comparisons = questions.map((entry, i) =>
      entry.mode === 'fingerprints' ? this.compare(entry, spans[i] as Span) : undefined,
    )
    const density = estimateDensity(comparisons.flatMap((comparison) => comparison?.observations ?? []))
    for (let i = 0; i < questions.length; i++) {
      const entry = questions[i] as RbsrEntry
      const span = spans[i] as Span
      const comparison = comparisons[i]
      const answered =
        entry.mode === 'fingerprints' && comparison !== undefined
          ? this.answerFingerprints(reply, entry, comparison, density, room)
          : this.answerWithin(reply, entry.range, span, room, () => this.answerEntry(reply, entry, span))
      if (!answered) break
    }
    return reply
  }

  /**
   * Writes one range's answer if the message stays within `room` (the budget less the largest cover);
   * otherwise its fallback; otherwise the cover from this range on. False when the message is full.
   */
  private answerWithin(
    reply: ReplyBuilder,
    range: Range,
    span: Span,
    room: number,
    write: () => void,
  ): boolean {
    const mark = reply.mark()
    write()
    if (reply.bytes <= room) return true
    reply.rollback(mark)
    this.counters.deferred++
    reply.add(this.summaries.fallback(range, span), this.fingerprintBytes)
    if (reply.bytes <= room) return true
    reply.rollback(mark)
    this.summaries.cover(reply, rangeStart(range))
    return false
  }

  private answerEntry(reply: ReplyBuilder, entry: RbsrEntry, span: Span): void {
    switch (entry.mode) {
      case 'cell-held':
        this.answerHeldCell(reply, entry.range, span, entry.sum, entry.check)
        return
      case 'cell-lacked':
        this.answerLackedCell(reply, entry.range, span, entry.sumPrefix)
        return
      case 'id-list':
        this.answerIdList(reply, entry.range, span, entry.ids)
        return
      default:
        return
    }
  }

  /** Compares the other side's children with this side's: where each starts here, and which differ. */
  private compare(entry: Extract<RbsrEntry, { mode: 'fingerprints' }>, span: Span): Comparison {
    const bounds = this.summaries.childBounds(entry.range, entry.childBits, span)
    const mismatched: number[] = []
    const observations: ChildObservation[] = []
    entry.children.forEach((theirs, child) => {
      const mine = (bounds[child + 1] as number) - (bounds[child] as number)
      const differs = !this.summaries.matches(theirs, bounds[child] as number, bounds[child + 1] as number)
      if (differs) mismatched.push(child)
      observations.push({
        size: Math.max(mine, theirs.count),
        delta: mine - theirs.count,
        mismatched: differs,
      })
    })
    return { bounds, mismatched, observations }
  }

  /** Answers each mismatched child as its own range (`answerWithin`). False when the message is full. */
  private answerFingerprints(
    reply: ReplyBuilder,
    entry: Extract<RbsrEntry, { mode: 'fingerprints' }>,
    comparison: Comparison,
    density: number,
    room: number,
  ): boolean {
    const { bounds, mismatched } = comparison
    for (const child of mismatched) {
      const range = childRange(entry.range, entry.childBits, child)
      const span = { lo: bounds[child] as number, hi: bounds[child + 1] as number }
      const theirs = (entry.children[child] as ChildSummary).count
      const mine = span.hi - span.lo
      const expected = expectedDifferences(Math.max(mine, theirs), mine - theirs, density)
      const situation = { mine, theirs, depth: range.depth, expected }
      if (
        !this.answerWithin(reply, range, span, room, () => this.answerRange(reply, range, span, situation))
      ) {
        return false
      }
    }
    return true
  }

  /** The other side holds one item more and sent its sum and check sum: the difference is that item. */
  private answerHeldCell(
    reply: ReplyBuilder,
    range: Range,
    span: Span,
    sum: Uint8Array,
    check: number,
  ): void {
    const candidate = subtractLittleEndian(sum, this.index.sum(span.lo, span.hi))
    const checkDifference = (check - this.index.check(span.lo, span.hi)) >>> 0
    if (
      containsId(range, candidate) &&
      checkHash(candidate) === checkDifference &&
      !this.index.has(candidate)
    ) {
      this.counters.cellsDecoded++
      this.learnNeed(candidate)
      reply.take(candidate.slice(0, ID_PREFIX_BYTES))
      return
    }
    this.answerFailedCell(reply, range, span, span.hi - span.lo + 1)
  }

  /**
   * This side holds one item more, by the other side's count: its sum minus theirs is that item, and the
   * low bytes of the difference, which are all the other side sent, are the item's prefix. Sending the
   * whole sum would add 24 bytes to what the other side has to learn anyway, the id given back.
   */
  private answerLackedCell(reply: ReplyBuilder, range: Range, span: Span, sumPrefix: Uint8Array): void {
    const prefix = subtractLittleEndian(this.index.sum(span.lo, span.hi), sumPrefix, ID_PREFIX_BYTES)
    const found = this.index
      .withPrefix(prefix)
      .filter((position) => position >= span.lo && position < span.hi)
    if (found.length === 1) {
      const id = this.idAt(found[0] as number)
      this.counters.cellsDecoded++
      this.learnHave(id)
      reply.give(id)
      return
    }
    this.answerFailedCell(reply, range, span, Math.max(0, span.hi - span.lo - 1))
  }

  /** The counts differed by one and the sums were not one id apart: three differences at least. */
  private answerFailedCell(reply: ReplyBuilder, range: Range, span: Span, theirs: number): void {
    const situation = { mine: span.hi - span.lo, theirs, depth: range.depth, expected: 3, cellFailed: true }
    this.answerRange(reply, range, span, situation)
  }

  /** The other side listed its ids in `range`: the difference both ways is known here now. */
  private answerIdList(reply: ReplyBuilder, range: Range, span: Span, theirs: readonly Uint8Array[]): void {
    const extra: Uint8Array[] = []
    const lacked = new Uint8Array(Math.ceil(theirs.length / 8))
    let position = span.lo
    theirs.forEach((id, j) => {
      while (position < span.hi && compareIds(this.idAt(position), id) < 0) extra.push(this.idAt(position++))
      if (position < span.hi && compareIds(this.idAt(position), id) === 0) position++
      else {
        lacked[j >> 3] = (lacked[j >> 3] as number) | (1 << (j & 7))
        this.learnNeed(id)
      }
    })
    while (position < span.hi) extra.push(this.idAt(position++))
    for (const id of extra) this.learnHave(id)
    if (extra.length > this.answerLimits.maxIds) {
      // too many to give at once: split, and the children settle over the next rounds
      const mine = span.hi - span.lo
      this.answerRange(reply, range, span, {
        mine,
        theirs: theirs.length,
        depth: range.depth,
        expected: extra.length,
      })
      return
    }
    if (theirs.length > 0)
      reply.add({ mode: 'id-list-reply', range, listed: theirs.length, lacked }, this.fingerprintBytes)
    for (const id of extra) reply.give(id)
  }

  private answerRange(reply: ReplyBuilder, range: Range, span: Span, situation: Disagreement): void {
    const answer = answerFor(situation, this.config, this.answerLimits)
    const f = this.fingerprintBytes
    switch (answer.kind) {
      case 'ask-list':
        reply.add({ mode: 'id-list', range, ids: [] }, f)
        return
      case 'give-all':
        for (let i = span.lo; i < span.hi; i++) {
          this.learnHave(this.idAt(i))
          reply.give(this.idAt(i))
        }
        return
      case 'id-list':
        reply.add({ mode: 'id-list', range, ids: this.index.ids.slice(span.lo, span.hi) }, f)
        return
      case 'cell': {
        const sum = this.index.sum(span.lo, span.hi)
        this.counters.cellsSent++
        if (situation.mine > situation.theirs) {
          reply.add({ mode: 'cell-held', range, sum, check: this.index.check(span.lo, span.hi) }, f)
        } else reply.add({ mode: 'cell-lacked', range, sumPrefix: sum.slice(0, ID_PREFIX_BYTES) }, f)
        return
      }
      case 'split':
        reply.add(this.summaries.split(range, span.lo, span.hi, answer.childBits), f)
        return
      case 'unresolvable':
        this.counters.unresolvable++
    }
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────────────────────────────

  private takeListReply(entry: Extract<RbsrEntry, { mode: 'id-list-reply' }>): void {
    const { lo, hi } = this.index.span(entry.range)
    if (hi - lo !== entry.listed) {
      this.counters.refused++
      return
    }
    for (let j = 0; j < entry.listed; j++) {
      if (((entry.lacked[j >> 3] as number) >> (j & 7)) & 1) this.learnHave(this.idAt(lo + j))
    }
  }

  private learnHave(id: Uint8Array): void {
    this.haveIds.set(idKey(id), id)
  }

  private learnNeed(id: Uint8Array): void {
    if (this.index.has(id)) {
      this.counters.refused++
      return
    }
    const key = idKey(id)
    if (this.needIds.has(key)) return
    if (this.needIds.size >= this.config.maxNeed) {
      this.counters.needDropped++
      return
    }
    this.needIds.set(key, id)
  }

  private idAt(position: number): Uint8Array {
    return this.index.ids[position] as Uint8Array
  }

  private send(reply: ReplyBuilder): Uint8Array {
    const bytes = encodeRbsrMessage({
      salt: this.salt ?? 0,
      fingerprintBytes: this.fingerprintBytes,
      entries: reply.entries,
      give: reply.gives,
      taken: reply.taken,
    })
    this.counters.messagesSent++
    this.counters.bytesSent += bytes.length
    return bytes
  }
}

/** A split the other side sent, against this side's items. */
interface Comparison {
  /** Where each child starts in this side's index, and where the last ends. */
  readonly bounds: readonly number[]
  /** The children whose summaries differ. */
  readonly mismatched: readonly number[]
  readonly observations: readonly ChildObservation[]
}
