/**
 * Cheaper Noise reads: a guarded workaround below libp2p's public surface, like `coalesce-writes.ts`.
 *
 * `LengthPrefixedDecoder` (@libp2p/utils, which Noise uses to cut the byte stream into messages) loops
 * until its length decoder throws a `RangeError` for "not enough bytes", so every chunk read ends in a
 * new `RangeError`, whose stack trace V8 captures: in an idle 10-node cluster that was 10 % of each
 * node's CPU (`--cpu-prof`, self time of Noise's `uint16BEDecode`). An empty buffer can never hold a
 * length, so for it the decoder is now handed one `RangeError` made once, which the loop catches the same
 * way; every other case still reaches the library's own decoder.
 *
 * The lasting fix (check the buffer's length before decoding) belongs upstream. The patch checks the
 * shape it relies on first and leaves the library alone when a newer version looks different.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'

/** Thrown for an empty buffer instead of a new error each time; never escapes the decoder's loop. */
const NOT_ENOUGH_BYTES = new RangeError('no length prefix in an empty buffer')
const WRAPPED = Symbol('meshwork.length-prefix-fast-path')

interface DecoderShape {
  lengthDecoder?: (data: { byteLength: number }) => number
  [WRAPPED]?: true
}

let patched = false

export function fastEmptyLengthPrefix(): void {
  if (patched) return
  patched = true
  const prototype = LengthPrefixedDecoder.prototype as unknown as {
    decode?: (this: DecoderShape, buf: unknown) => Generator<unknown>
  }
  const original = prototype.decode
  if (typeof original !== 'function') return
  prototype.decode = function (this: DecoderShape, buf: unknown) {
    const inner = this.lengthDecoder
    if (this[WRAPPED] !== true && typeof inner === 'function') {
      this.lengthDecoder = (data) => {
        if (data.byteLength === 0) throw NOT_ENOUGH_BYTES
        return inner(data)
      }
      this[WRAPPED] = true
    }
    return original.call(this, buf)
  }
}
