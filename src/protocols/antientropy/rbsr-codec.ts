/**
 * The wire format of one reconciliation message (`rbsr.ts`), versioned and decoded totally: malformed or
 * hostile bytes give a reason, never an exception, and nothing is allocated beyond what the bytes hold.
 *
 *   u8 version · 4 bytes salt · u8 fingerprint length f · varint entry count · entries · give · taken
 *   entry  = varint depth · varint gap · u8 mode · payload   (ranges ascending, disjoint: `ranges.ts`)
 *   0 fingerprints  u8 child bits b · varint total · 2^b × (zig-zag count − ⌊total/2^b⌋ · f bytes
 *                   unless the count is 0); the counts add up to the total
 *   1 cell-held     32-byte sum · 4-byte check sum          (the sender holds one item more)
 *   2 cell-lacked   low 8 bytes of the sum                  (the receiver holds one item more)
 *   3 id-list       varint n · n ascending ids in the range
 *   4 id-list-reply varint n · ⌈n/8⌉-byte bitmap             (which listed ids the sender lacks)
 *   give  = varint n · n ids the receiver lacks
 *   taken = varint n · n 8-byte prefixes of the receiver's ids that the sender lacks
 *
 * Negentropy v1 tiles the whole space with (bound, mode) pairs and has a Skip mode for agreed ranges; here
 * ranges are addressed (a range not mentioned is agreed), and the answers that end a range — ids to
 * give, ids taken — travel in two lists outside the entries, since they need no range.
 */
import {
  type DecodeErrorReason,
  Decoder,
  Encoder,
  err,
  ok,
  type Result,
  varUintBytes,
} from '../../kernel/index.ts'
import { ID_BYTES, ID_PREFIX_BYTES } from './item-index.ts'
import { MAX_FINGERPRINT_BYTES, MIN_FINGERPRINT_BYTES, SALT_BYTES } from './range-fingerprint.ts'
import { containsId, gapAfter, KEY_BITS, type Range, rangeAfter, rangeEnd } from './ranges.ts'

export const RBSR_VERSION = 1
const MODES = ['fingerprints', 'cell-held', 'cell-lacked', 'id-list', 'id-list-reply'] as const
export const CHECK_BYTES = 4

export interface ChildSummary {
  readonly count: number
  /** Empty when `count` is 0. */
  readonly fingerprint: Uint8Array
}

export type RbsrEntry =
  | {
      readonly mode: 'fingerprints'
      readonly range: Range
      readonly childBits: number
      readonly children: readonly ChildSummary[]
    }
  | { readonly mode: 'cell-held'; readonly range: Range; readonly sum: Uint8Array; readonly check: number }
  /** `sumPrefix`: the low `ID_PREFIX_BYTES` bytes of the sender's sum. */
  | { readonly mode: 'cell-lacked'; readonly range: Range; readonly sumPrefix: Uint8Array }
  | { readonly mode: 'id-list'; readonly range: Range; readonly ids: readonly Uint8Array[] }
  | {
      readonly mode: 'id-list-reply'
      readonly range: Range
      readonly listed: number
      readonly lacked: Uint8Array
    }

export interface RbsrMessage {
  readonly salt: number
  readonly fingerprintBytes: number
  readonly entries: readonly RbsrEntry[]
  readonly give: readonly Uint8Array[]
  readonly taken: readonly Uint8Array[]
}

export interface RbsrLimits {
  readonly maxEntries: number
  readonly maxChildBits: number
}

/** Entries whose range is answered by a question back (`fingerprints`, cells, `id-list`). */
export function isQuestion(entry: RbsrEntry): boolean {
  return entry.mode !== 'id-list-reply'
}

const HEADER_BYTES = 1 + SALT_BYTES + 1

export function encodeRbsrMessage(message: RbsrMessage): Uint8Array {
  const encoder = new Encoder(64)
  encoder.u8(RBSR_VERSION)
  writeU32(encoder, message.salt)
  encoder.u8(message.fingerprintBytes)
  encoder.varUint(message.entries.length)
  let previousEnd = 0
  for (const entry of message.entries) {
    encoder.varUint(entry.range.depth)
    encoder.varUint(gapAfter(previousEnd, entry.range))
    encoder.u8(MODES.indexOf(entry.mode))
    writePayload(encoder, entry)
    previousEnd = rangeEnd(entry.range)
  }
  encoder.varUint(message.give.length)
  for (const id of message.give) encoder.raw(id)
  encoder.varUint(message.taken.length)
  for (const prefix of message.taken) encoder.raw(prefix)
  return encoder.finish()
}

function writePayload(encoder: Encoder, entry: RbsrEntry): void {
  switch (entry.mode) {
    case 'fingerprints': {
      encoder.u8(entry.childBits)
      const total = totalCount(entry.children)
      const share = Math.floor(total / entry.children.length)
      encoder.varUint(total)
      for (const child of entry.children) {
        encoder.varInt(child.count - share)
        if (child.count > 0) encoder.raw(child.fingerprint)
      }
      return
    }
    case 'cell-held':
      encoder.raw(entry.sum)
      writeU32(encoder, entry.check)
      return
    case 'cell-lacked':
      encoder.raw(entry.sumPrefix)
      return
    case 'id-list':
      encoder.varUint(entry.ids.length)
      for (const id of entry.ids) encoder.raw(id)
      return
    case 'id-list-reply':
      encoder.varUint(entry.listed)
      encoder.raw(entry.lacked)
  }
}

/** Bytes of the header and of empty give and taken lists: a message with no entries. */
export const EMPTY_MESSAGE_BYTES = HEADER_BYTES + 3

/** Bytes `entry` takes after a range that ends at `previousEnd` (the reconciler's byte budget). */
export function entryBytes(entry: RbsrEntry, previousEnd: number, fingerprintBytes: number): number {
  const address = varUintBytes(entry.range.depth) + varUintBytes(gapAfter(previousEnd, entry.range)) + 1
  switch (entry.mode) {
    case 'fingerprints': {
      const total = totalCount(entry.children)
      const share = Math.floor(total / entry.children.length)
      let bytes = address + 1 + varUintBytes(total)
      for (const child of entry.children) {
        bytes += varIntBytes(child.count - share) + (child.count > 0 ? fingerprintBytes : 0)
      }
      return bytes
    }
    case 'cell-held':
      return address + ID_BYTES + CHECK_BYTES
    case 'cell-lacked':
      return address + ID_PREFIX_BYTES
    case 'id-list':
      return address + varUintBytes(entry.ids.length) + entry.ids.length * ID_BYTES
    case 'id-list-reply':
      return address + varUintBytes(entry.listed) + entry.lacked.length
  }
}

export function rbsrMessageBytes(message: RbsrMessage): number {
  let bytes = HEADER_BYTES + varUintBytes(message.entries.length)
  let previousEnd = 0
  for (const entry of message.entries) {
    bytes += entryBytes(entry, previousEnd, message.fingerprintBytes)
    previousEnd = rangeEnd(entry.range)
  }
  bytes += varUintBytes(message.give.length) + message.give.length * ID_BYTES
  return bytes + varUintBytes(message.taken.length) + message.taken.length * ID_PREFIX_BYTES
}

/** Decodes one message. Never throws; allocates in proportion to `bytes` only. */
export function decodeRbsrMessage(
  bytes: Uint8Array,
  limits: RbsrLimits,
): Result<RbsrMessage, DecodeErrorReason> {
  const decoder = new Decoder(bytes)
  if (decoder.u8() !== RBSR_VERSION) return err(decoder.error ?? 'bad-version')
  const salt = readU32(decoder)
  const fingerprintBytes = decoder.u8()
  if (fingerprintBytes < MIN_FINGERPRINT_BYTES || fingerprintBytes > MAX_FINGERPRINT_BYTES) {
    decoder.fail('invalid-value')
  }
  const entryCount = decoder.count(limits.maxEntries)
  const entries: RbsrEntry[] = []
  let previousEnd = 0
  for (let i = 0; i < entryCount && decoder.error === undefined; i++) {
    const entry = readEntry(decoder, previousEnd, fingerprintBytes, limits)
    if (entry === undefined) break
    entries.push(entry)
    previousEnd = rangeEnd(entry.range)
  }
  const give = readIds(decoder, ID_BYTES, undefined)
  const taken = readIds(decoder, ID_PREFIX_BYTES, undefined)
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok({ salt, fingerprintBytes, entries, give, taken })
}

function readEntry(
  decoder: Decoder,
  previousEnd: number,
  fingerprintBytes: number,
  limits: RbsrLimits,
): RbsrEntry | undefined {
  const depth = decoder.varUint()
  const gap = decoder.varUint()
  const mode = MODES[decoder.u8()]
  if (decoder.error !== undefined) return undefined
  const range = depth <= KEY_BITS ? rangeAfter(previousEnd, depth, gap) : undefined
  if (range === undefined || mode === undefined) {
    decoder.fail(mode === undefined ? 'unknown-type' : 'invalid-value')
    return undefined
  }
  switch (mode) {
    case 'fingerprints': {
      const childBits = decoder.u8()
      if (childBits > limits.maxChildBits || depth + childBits > KEY_BITS) {
        decoder.fail('invalid-value')
        return undefined
      }
      const childCount = 2 ** childBits
      if (childCount > decoder.remaining) {
        decoder.fail('truncated') // every child takes at least its count byte
        return undefined
      }
      const total = decoder.varUint()
      const share = Math.floor(total / childCount)
      const children: ChildSummary[] = []
      let sum = 0
      for (let i = 0; i < childCount && decoder.error === undefined; i++) {
        const count = share + decoder.varInt()
        if (count < 0) decoder.fail('invalid-value')
        sum += count
        children.push({ count, fingerprint: count > 0 ? readRaw(decoder, fingerprintBytes) : EMPTY })
      }
      if (sum !== total) decoder.fail('invalid-value')
      return { mode, range, childBits, children }
    }
    case 'cell-held': {
      const sum = readRaw(decoder, ID_BYTES)
      return { mode, range, sum, check: readU32(decoder) }
    }
    case 'cell-lacked':
      return { mode, range, sumPrefix: readRaw(decoder, ID_PREFIX_BYTES) }
    case 'id-list':
      return { mode, range, ids: readIds(decoder, ID_BYTES, range) }
    case 'id-list-reply': {
      const listed = decoder.varUint()
      const bitmapBytes = Math.ceil(listed / 8)
      if (bitmapBytes > decoder.remaining) {
        decoder.fail('truncated')
        return undefined
      }
      const lacked = readRaw(decoder, bitmapBytes)
      // bits past the listed ids are zero, so a reply has one encoding
      if (listed % 8 !== 0 && (lacked[bitmapBytes - 1] as number) >> (listed % 8) !== 0) {
        decoder.fail('invalid-value')
      }
      return { mode, range, listed, lacked }
    }
  }
}

/**
 * A count and that many `size`-byte strings. Ids listed for a range must lie in it and ascend strictly,
 * so a list has one encoding and the reconciler can merge it against its own without sorting.
 */
function readIds(decoder: Decoder, size: number, range: Range | undefined): Uint8Array[] {
  const count = decoder.varUint()
  if (decoder.error !== undefined) return []
  if (count * size > decoder.remaining) {
    decoder.fail('truncated')
    return []
  }
  const ids: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const id = readRaw(decoder, size)
    if (range !== undefined) {
      const previous = ids[i - 1]
      if (!containsId(range, id) || (previous !== undefined && !ascends(previous, id))) {
        decoder.fail('invalid-value')
        return []
      }
    }
    ids.push(id)
  }
  return ids
}

function ascends(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number)
  }
  return false
}

/** `length` bytes, copied so that a kept id does not pin the whole message. */
export function readRaw(decoder: Decoder, length: number): Uint8Array {
  if (decoder.error !== undefined) return EMPTY
  if (decoder.remaining < length) {
    decoder.fail('truncated')
    return EMPTY
  }
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = decoder.u8()
  return out
}

function writeU32(encoder: Encoder, value: number): void {
  for (let shift = 0; shift < 32; shift += 8) encoder.u8((value >>> shift) & 0xff)
}

function readU32(decoder: Decoder): number {
  let value = 0
  for (let shift = 0; shift < 32; shift += 8) value += decoder.u8() * 2 ** shift
  return value
}

/**
 * Children's counts are written as their distance from an equal share of the total: ids are uniform
 * hashes, so a child of a range of s ids holds s/2^b give or take √(s/2^b), and the distance takes one
 * byte where the count itself would take two or three.
 */
function totalCount(children: readonly ChildSummary[]): number {
  let total = 0
  for (const child of children) total += child.count
  return total
}

function varIntBytes(value: number): number {
  return varUintBytes(value >= 0 ? value * 2 : -value * 2 - 1)
}

const EMPTY = new Uint8Array(0)
