/**
 * Length-prefixed frames on a byte stream: `[length: varuint][frame]`. Stream transports (yamux over
 * TCP, QUIC streams) deliver arbitrary chunks; the reader reassembles whole frames and refuses any whose
 * announced length exceeds the bound before buffering it, so a peer cannot make us hold more than one
 * maximum frame per stream.
 *
 * Reassembly is linear in the bytes received, however small the chunks: the length prefix is parsed
 * byte by byte as it arrives, and the body goes into a buffer that grows by doubling, never past the
 * announced length, so each byte is copied at most about twice. (Concatenating every chunk onto the whole
 * partial buffer, as this reader once did, copies a 1 MiB frame sent in 64-byte chunks about 8 GiB
 * worth: 3.3 s of CPU.) The buffer follows what has arrived, not what was announced, so a peer that
 * announces a large frame and stops costs about what it actually sent.
 */
import { Encoder } from '../../kernel/index.ts'

export type FrameReadError = 'oversized' | 'bad-length'

export type FrameRead =
  | { readonly ok: true; readonly frame: Uint8Array }
  | { readonly ok: false; readonly error: FrameReadError }

/** Longest varint we accept for a length (2^35 is far above any frame bound). */
const MAX_LENGTH_BYTES = 5
const EMPTY = new Uint8Array(0)
/** Returned when a chunk completes nothing, so the common case allocates no array. */
const NONE: FrameRead[] = Object.freeze([]) as unknown as FrameRead[]

export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const encoder = new Encoder(frame.length + MAX_LENGTH_BYTES)
  encoder.varUint(frame.length)
  encoder.raw(frame)
  return encoder.finish()
}

export class FrameReader {
  private readonly maxFrameBytes: number
  /** The length prefix being read: its value so far, the weight of the next byte, bytes read. */
  private lengthValue = 0
  private lengthWeight = 1
  private lengthBytes = 0
  /** The body being collected: its announced length (−1 while reading a prefix), its buffer, bytes in it. */
  private bodyLength = -1
  private body: Uint8Array = EMPTY
  private bodyBytes = 0
  /** Bytes copied so far, growth included: at most about twice the frame bytes received. */
  bytesCopied = 0
  /** Set once the stream is unusable (a bad or oversized length): nothing after it can be framed. */
  failed: FrameReadError | undefined

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.lengthBytes + this.bodyBytes
  }

  /** Adds received bytes and returns every frame (or the first error) they complete. */
  push(chunk: Uint8Array): FrameRead[] {
    let out: FrameRead[] = NONE
    let at = 0
    while (at < chunk.length && this.failed === undefined) {
      if (this.bodyLength < 0) {
        if (out === NONE) out = []
        at = this.readLength(chunk, at, out)
        continue
      }
      const take = Math.min(this.bodyLength - this.bodyBytes, chunk.length - at)
      this.append(chunk, at, take)
      at += take
      if (this.bodyBytes === this.bodyLength) {
        if (out === NONE) out = []
        out.push({ ok: true, frame: this.finishFrame() })
      }
    }
    return out.length === 0 ? NONE : out
  }

  /** Copies `length` bytes of `chunk` from `at` into the body, growing it by doubling up to its length. */
  private append(chunk: Uint8Array, at: number, length: number): void {
    const needed = this.bodyBytes + length
    if (needed > this.body.length) {
      const grown = new Uint8Array(Math.min(this.bodyLength, Math.max(needed, 2 * this.body.length, 256)))
      grown.set(this.body.subarray(0, this.bodyBytes), 0)
      this.bytesCopied += this.bodyBytes
      this.body = grown
    }
    this.body.set(chunk.subarray(at, at + length), this.bodyBytes)
    this.bodyBytes = needed
    this.bytesCopied += length
  }

  /** Reads prefix bytes from `chunk` at `at`; returns where it stopped. */
  private readLength(chunk: Uint8Array, at: number, out: FrameRead[]): number {
    for (; at < chunk.length; ) {
      const byte = chunk[at++] as number
      this.lengthValue += (byte & 0x7f) * this.lengthWeight
      this.lengthBytes++
      if (byte < 0x80) {
        const length = this.lengthValue
        this.lengthValue = 0
        this.lengthWeight = 1
        this.lengthBytes = 0
        if (length > this.maxFrameBytes) {
          this.fail('oversized', out)
          return at
        }
        this.bodyLength = length
        if (length === 0) out.push({ ok: true, frame: this.finishFrame() })
        return at
      }
      if (this.lengthBytes === MAX_LENGTH_BYTES) {
        this.fail('bad-length', out)
        return at
      }
      this.lengthWeight *= 0x80
    }
    return at
  }

  private finishFrame(): Uint8Array {
    // the buffer never grows past the announced length, so a finished body is exactly the frame
    const frame = this.bodyLength === 0 ? new Uint8Array(0) : this.body
    this.body = EMPTY
    this.bodyBytes = 0
    this.bodyLength = -1
    return frame
  }

  private fail(error: FrameReadError, out: FrameRead[]): void {
    this.failed = error
    this.body = EMPTY
    this.bodyBytes = 0
    this.lengthBytes = 0
    out.push({ ok: false, error })
  }
}
