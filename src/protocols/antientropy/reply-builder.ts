/**
 * A reconciliation reply written range by range with its encoded size kept exactly, so that the answer
 * to one range can be taken back when it would push the message past its budget (`rbsr.ts`).
 */
import { ID_BYTES, ID_PREFIX_BYTES } from './item-index.ts'
import { rangeEnd } from './ranges.ts'
import { EMPTY_MESSAGE_BYTES, entryBytes, isQuestion, type RbsrEntry } from './rbsr-codec.ts'

/** The empty message plus room for its three list counts to grow (each stays below 2^21). */
export const FIXED_BYTES = EMPTY_MESSAGE_BYTES + 6

export type ReplyMark = readonly [number, number, number, number, number, number]

export class ReplyBuilder {
  readonly entries: RbsrEntry[] = []
  readonly gives: Uint8Array[] = []
  readonly taken: Uint8Array[] = []
  bytes = FIXED_BYTES
  questions = 0
  private previousEnd = 0

  add(entry: RbsrEntry, fingerprintBytes: number): void {
    this.bytes += entryBytes(entry, this.previousEnd, fingerprintBytes)
    this.previousEnd = rangeEnd(entry.range)
    this.entries.push(entry)
    if (isQuestion(entry)) this.questions++
  }

  give(id: Uint8Array): void {
    this.gives.push(id)
    this.bytes += ID_BYTES
  }

  take(prefix: Uint8Array): void {
    this.taken.push(prefix)
    this.bytes += ID_PREFIX_BYTES
  }

  isEmpty(): boolean {
    return this.entries.length === 0 && this.gives.length === 0 && this.taken.length === 0
  }

  mark(): ReplyMark {
    return [
      this.entries.length,
      this.gives.length,
      this.taken.length,
      this.bytes,
      this.questions,
      this.previousEnd,
    ]
  }

  rollback(mark: ReplyMark): void {
    const [entries, gives, taken, bytes, questions, previousEnd] = mark
    this.entries.length = entries
    this.gives.length = gives
    this.taken.length = taken
    this.bytes = bytes
    this.questions = questions
    this.previousEnd = previousEnd
  }
}
