/**
 * Binary codec: symmetric write/read pairs in the manner of lib0's `encoding.js` / `decoding.js`.
 *
 * Departure from lib0: decoding is *total*. lib0 throws on truncated input; here every read checks its
 * bounds and, on failure, records a sticky `error` and returns a zero value. A caller decodes a whole
 * message and then checks `decoder.error` once, so hostile input costs no exceptions and no try/catch on
 * the hot path, and every rejection has a reason that can be counted.
 *
 * Integers: unsigned LEB128 varints up to 2^53 − 1 (safe integers), zig-zag for signed values. Only the
 * shortest form of a varint is accepted, so every value has one encoding (canonical states hash alike).
 */

/** Every reason a decoder may give for refusing input, for tallies and exhaustive tests. */
export const DECODE_ERROR_REASONS = [
  'truncated',
  'varint-overflow',
  'length-too-large',
  'invalid-utf8',
  'trailing-bytes',
  'bad-version',
  'unknown-type',
  'frame-too-large',
  'invalid-value',
] as const

export type DecodeErrorReason = (typeof DECODE_ERROR_REASONS)[number]

const MAX_VARINT_BYTES = 8 // 8 × 7 = 56 bits ≥ 53
// zig-zag doubles the magnitude, so a signed varint carries one bit less than an unsigned one
const MIN_VAR_INT = -(2 ** 52)
const MAX_VAR_INT = 2 ** 52 - 1
const utf8Encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF in the text: without it the decoder strips it and the round trip is lossy
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export class Encoder {
  private buffer: Uint8Array
  private view: DataView
  private position = 0

  constructor(initialBytes = 256) {
    this.buffer = new Uint8Array(initialBytes)
    this.view = new DataView(this.buffer.buffer)
  }

  get length(): number {
    return this.position
  }

  /** The bytes written so far (a copy, so the encoder may be reused). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.position)
  }

  reset(): void {
    this.position = 0
  }

  private ensure(extra: number): void {
    const needed = this.position + extra
    if (needed <= this.buffer.length) return
    let size = Math.max(this.buffer.length * 2, 16) // doubling from 0 would never reach `needed`
    while (size < needed) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.buffer.subarray(0, this.position))
    this.buffer = grown
    this.view = new DataView(grown.buffer)
  }

  u8(value: number): void {
    this.ensure(1)
    this.buffer[this.position++] = value & 0xff
  }

  /** Unsigned varint; `value` must be a safe non-negative integer. */
  varUint(value: number): void {
    if (!(value >= 0 && Number.isSafeInteger(value))) {
      throw new RangeError(`varUint needs a non-negative safe integer, got ${value}`)
    }
    this.ensure(MAX_VARINT_BYTES)
    let rest = value
    while (rest >= 0x80) {
      this.buffer[this.position++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.buffer[this.position++] = rest
  }

  /** Signed varint (zig-zag), for integers in [−2^52, 2^52 − 1]: the zig-zag value must be a safe integer. */
  varInt(value: number): void {
    if (!(Number.isInteger(value) && value >= MIN_VAR_INT && value <= MAX_VAR_INT)) {
      throw new RangeError(`varInt needs an integer in [-2^52, 2^52 - 1], got ${value}`)
    }
    this.varUint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  bool(value: boolean): void {
    this.u8(value ? 1 : 0)
  }

  f64(value: number): void {
    this.ensure(8)
    this.view.setFloat64(this.position, value, true)
    this.position += 8
  }

  /** Length-prefixed bytes. */
  bytes(value: Uint8Array): void {
    this.varUint(value.length)
    this.raw(value)
  }

  /** Bytes without a length prefix. */
  raw(value: Uint8Array): void {
    this.ensure(value.length)
    this.buffer.set(value, this.position)
    this.position += value.length
  }

  /** Length-prefixed UTF-8. */
  string(value: string): void {
    // ASCII fast path: ids, labels and addresses are almost always ASCII
    let ascii = value.length < 128
    if (ascii) {
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) > 0x7f) {
          ascii = false
          break
        }
      }
    }
    if (ascii) {
      this.ensure(1 + value.length)
      this.buffer[this.position++] = value.length
      for (let i = 0; i < value.length; i++) this.buffer[this.position++] = value.charCodeAt(i)
      return
    }
    this.bytes(utf8Encoder.encode(value))
  }
}

/** Bytes `Encoder.varUint(value)` writes, computed without writing (for sizes and budgets). */
export function varUintBytes(value: number): number {
  let bytes = 1
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}

/**
 * Bytes `Encoder.string(value)` writes, computed without encoding: UTF-8 as `TextEncoder` produces it (a
 * lone surrogate becomes U+FFFD, three bytes) behind its length prefix.
 */
export function stringBytes(value: string): number {
  const length = value.length
  for (let i = 0; i < length; i++) if (value.charCodeAt(i) >= 0x80) return utf8Bytes(value)
  return varUintBytes(length) + length
}

function utf8Bytes(value: string): number {
  let utf8 = 0
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit < 0x80) utf8 += 1
    else if (unit < 0x800) utf8 += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        utf8 += 4
        i++
      } else utf8 += 3
    } else utf8 += 3
  }
  return varUintBytes(utf8) + utf8
}

export class Decoder {
  private readonly buffer: Uint8Array
  private readonly view: DataView
  private position = 0
  /** The first failure met, or `undefined` while every read has succeeded. Once set, reads return zeros. */
  error: DecodeErrorReason | undefined

  constructor(buffer: Uint8Array) {
    this.buffer = buffer
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  }

  get remaining(): number {
    return this.buffer.length - this.position
  }

  get offset(): number {
    return this.position
  }

  /** Records a failure found by the caller (e.g. a value out of its allowed range). The first reason wins. */
  fail(reason: DecodeErrorReason): void {
    if (this.error === undefined) this.error = reason
  }

  /** True when all input was consumed without error; otherwise records `trailing-bytes` if needed. */
  done(): boolean {
    if (this.error === undefined && this.position !== this.buffer.length) this.fail('trailing-bytes')
    return this.error === undefined
  }

  private take(count: number): boolean {
    if (this.error !== undefined) return false
    if (this.position + count > this.buffer.length) {
      this.fail('truncated')
      return false
    }
    return true
  }

  u8(): number {
    if (!this.take(1)) return 0
    return this.buffer[this.position++] as number
  }

  varUint(): number {
    let result = 0
    let multiplier = 1
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (!this.take(1)) return 0
      const byte = this.buffer[this.position++] as number
      result += (byte & 0x7f) * multiplier
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) {
          this.fail('varint-overflow')
          return 0
        }
        // a last byte of 0 after the first adds nothing: an overlong form, a second encoding of a
        // smaller number, which would let two byte strings stand for one value
        if (byte === 0 && i > 0) {
          this.fail('invalid-value')
          return 0
        }
        return result
      }
      multiplier *= 0x80
    }
    this.fail('varint-overflow')
    return 0
  }

  varInt(): number {
    const zigzag = this.varUint()
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2
  }

  bool(): boolean {
    const value = this.u8()
    if (value > 1) this.fail('invalid-value')
    return value === 1
  }

  f64(): number {
    if (!this.take(8)) return 0
    const value = this.view.getFloat64(this.position, true)
    this.position += 8
    return value
  }

  /** Length-prefixed bytes, at most `maxBytes` long. Returns a view into the input, not a copy. */
  bytes(maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    const length = this.varUint()
    if (this.error !== undefined) return EMPTY
    if (length > maxBytes) {
      this.fail('length-too-large')
      return EMPTY
    }
    if (!this.take(length)) return EMPTY
    const out = this.buffer.subarray(this.position, this.position + length)
    this.position += length
    return out
  }

  /** Length-prefixed UTF-8 of at most `maxBytes` encoded bytes. */
  string(maxBytes = 65_536): string {
    const raw = this.bytes(maxBytes)
    if (this.error !== undefined) return ''
    let ascii = raw.length < 64
    if (ascii) {
      for (let i = 0; i < raw.length; i++) {
        if ((raw[i] as number) > 0x7f) {
          ascii = false
          break
        }
      }
    }
    if (ascii) return String.fromCharCode(...raw)
    try {
      return utf8Decoder.decode(raw)
    } catch {
      this.fail('invalid-utf8')
      return ''
    }
  }

  /** A count of items that follow, rejected when above `max` so a hostile length cannot allocate. */
  count(max: number): number {
    const n = this.varUint()
    if (n > max) {
      this.fail('length-too-large')
      return 0
    }
    // each item takes at least one byte: a count above the remaining input is a truncation
    if (n > this.remaining) {
      this.fail('truncated')
      return 0
    }
    return n
  }
}

const EMPTY = new Uint8Array(0)
