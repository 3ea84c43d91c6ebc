/**
 * Versioned frames: `[version: u8][type: varuint][payload]`, at most `maxFrameBytes` long.
 *
 * Every Meshwork wire message travels in one. The version lets a node refuse a frame from an
 * incompatible release with a counted reason instead of misreading it; the type tag selects the
 * payload decoder. Length prefixes belong to the transport (the libp2p engine writes them), not here.
 */
import { type DecodeErrorReason, Decoder, Encoder } from './codec.ts'
import { err, ok, type Result } from './result.ts'

/** The default bound on one frame. Large enough for a push-pull state exchange of ~10,000 members. */
export const DEFAULT_MAX_FRAME_BYTES = 1_048_576

export interface FrameHeader {
  readonly version: number
  readonly type: number
}

export function beginFrame(version: number, type: number, encoder = new Encoder()): Encoder {
  encoder.u8(version)
  encoder.varUint(type)
  return encoder
}

export interface FrameLimits {
  /** The only version accepted. */
  readonly version: number
  /** Type tags accepted; others are rejected as `unknown-type`. */
  readonly maxType: number
  readonly maxFrameBytes?: number
}

/**
 * Reads a frame header. On success the returned decoder is positioned at the payload. Never throws.
 */
export function openFrame(
  bytes: Uint8Array,
  limits: FrameLimits,
): Result<{ header: FrameHeader; decoder: Decoder }, DecodeErrorReason> {
  if (bytes.length > (limits.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)) return err('frame-too-large')
  const decoder = new Decoder(bytes)
  const version = decoder.u8()
  const type = decoder.varUint()
  if (decoder.error !== undefined) return err(decoder.error)
  if (version !== limits.version) return err('bad-version')
  if (type > limits.maxType) return err('unknown-type')
  return ok({ header: { version, type }, decoder })
}
