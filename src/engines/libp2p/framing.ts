/**
 * Length-prefixed frames on a byte stream: `[length: varuint][frame]`. Stream transports (yamux over
 * TCP, QUIC streams) deliver arbitrary chunks; the reader reassembles whole frames and refuses any whose
 * announced length exceeds the bound before buffering it, so a peer cannot make us hold more than one
 * maximum frame per stream.
 */
import { Encoder } from '../../kernel/index.ts'

export type FrameReadError = 'oversized' | 'bad-length'

export type FrameRead =
  | { readonly ok: true; readonly frame: Uint8Array }
  | { readonly ok: false; readonly error: FrameReadError }

/** Longest varint we accept for a length (2^35 is far above any frame bound). */
const MAX_LENGTH_BYTES = 5

export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const encoder = new Encoder(frame.length + MAX_LENGTH_BYTES)
  encoder.varUint(frame.length)
  encoder.raw(frame)
  return encoder.finish()
}

export class FrameReader {
  private readonly maxFrameBytes: number
  private buffer: Uint8Array = new Uint8Array(0)
  /** Set once the stream is unusable (a bad or oversized length): nothing after it can be framed. */
  failed: FrameReadError | undefined

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.buffer.length
  }

  /** Adds received bytes and returns every frame (or the first error) they complete. */
  push(chunk: Uint8Array): FrameRead[] {
    if (this.failed !== undefined) return []
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk)
    const out: FrameRead[] = []
    let offset = 0
    for (;;) {
      const header = readLength(this.buffer, offset)
      if (header === undefined) break
      if (header === 'bad-length') {
        this.fail('bad-length', out)
        return out
      }
      const [length, headerBytes] = header
      if (length > this.maxFrameBytes) {
        this.fail('oversized', out)
        return out
      }
      const start = offset + headerBytes
      if (this.buffer.length - start < length) break
      out.push({ ok: true, frame: this.buffer.slice(start, start + length) })
      offset = start + length
    }
    this.buffer = offset === 0 ? this.buffer : this.buffer.slice(offset)
    return out
  }

  private fail(error: FrameReadError, out: FrameRead[]): void {
    this.failed = error
    this.buffer = new Uint8Array(0)
    out.push({ ok: false, error })
  }
}

/** `[length, header bytes]`, `undefined` when more bytes are needed, or 'bad-length'. */
function readLength(buffer: Uint8Array, offset: number): [number, number] | undefined | 'bad-length' {
  let value = 0
  let multiplier = 1
  for (let i = 0; i < MAX_LENGTH_BYTES; i++) {
    const byte = buffer[offset + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * multiplier
    if (byte < 0x80) return [value, i + 1]
    multiplier *= 0x80
  }
  return 'bad-length'
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
