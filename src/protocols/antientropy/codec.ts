/**
 * The anti-entropy wire format: a versioned frame (`kernel/frame.ts`) whose type tag is 0 digest,
 * 1 reconcile. A digest lists (name, 16-byte fingerprint) pairs; a reconcile message carries one
 * reconciliation message (`rbsr-codec.ts`) per object, opaque here and decoded by the reconciler.
 * Decoding is total and bounded: names by `maxNameBytes`, objects by `maxDigestObjects`, parts by
 * `maxParts`, payloads by the reconciliation's `maxMessageBytes`.
 */
import {
  beginFrame,
  type DecodeErrorReason,
  Encoder,
  err,
  ok,
  openFrame,
  type Result,
  stringBytes,
  varUintBytes,
} from '../../kernel/index.ts'
import { readRaw } from './rbsr-codec.ts'
import {
  type AntiEntropyMessage,
  type DigestEntry,
  OBJECT_FINGERPRINT_BYTES,
  type ReconcilePart,
} from './types.ts'

export const ANTI_ENTROPY_WIRE_VERSION = 1
const MESSAGE_TYPES = ['digest', 'reconcile'] as const
/** Session ids are 32-bit. */
export const MAX_SESSION_ID = 0xffff_ffff

export interface AntiEntropyLimits {
  readonly maxDigestObjects: number
  readonly maxNameBytes: number
  readonly maxParts: number
  readonly maxPayloadBytes: number
  readonly maxFrameBytes: number
}

export function encodeAntiEntropyMessage(message: AntiEntropyMessage): Uint8Array {
  const encoder = beginFrame(ANTI_ENTROPY_WIRE_VERSION, MESSAGE_TYPES.indexOf(message.type), new Encoder(256))
  encoder.varUint(message.session)
  if (message.type === 'digest') {
    encoder.varUint(message.objects.length)
    for (const object of message.objects) {
      encoder.string(object.name)
      encoder.raw(object.fingerprint)
    }
  } else {
    encoder.bool(message.fromInitiator)
    encoder.varUint(message.parts.length)
    for (const part of message.parts) {
      encoder.string(part.name)
      encoder.bytes(part.payload)
    }
  }
  return encoder.finish()
}

/** The encoded size, computed without encoding (traffic counters and the simulator). */
export function encodedAntiEntropyBytes(message: AntiEntropyMessage): number {
  let bytes = 2 + varUintBytes(message.session)
  if (message.type === 'digest') {
    bytes += varUintBytes(message.objects.length)
    for (const object of message.objects) bytes += stringBytes(object.name) + OBJECT_FINGERPRINT_BYTES
    return bytes
  }
  bytes += 1 + varUintBytes(message.parts.length)
  for (const part of message.parts) {
    bytes += stringBytes(part.name) + varUintBytes(part.payload.length) + part.payload.length
  }
  return bytes
}

/** Decodes one frame. Never throws. */
export function decodeAntiEntropyMessage(
  bytes: Uint8Array,
  limits: AntiEntropyLimits,
): Result<AntiEntropyMessage, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: ANTI_ENTROPY_WIRE_VERSION,
    maxType: MESSAGE_TYPES.length - 1,
    maxFrameBytes: limits.maxFrameBytes,
  })
  if (!opened.ok) return opened
  const { decoder, header } = opened.value
  const session = decoder.varUint()
  if (session > MAX_SESSION_ID) decoder.fail('invalid-value')
  let message: AntiEntropyMessage
  if (MESSAGE_TYPES[header.type] === 'digest') {
    const count = decoder.count(limits.maxDigestObjects)
    const objects: DigestEntry[] = []
    for (let i = 0; i < count && decoder.error === undefined; i++) {
      const name = decoder.string(limits.maxNameBytes)
      objects.push({ name, fingerprint: readRaw(decoder, OBJECT_FINGERPRINT_BYTES) })
    }
    message = { type: 'digest', session, objects }
  } else {
    const fromInitiator = decoder.bool()
    const count = decoder.count(limits.maxParts)
    const parts: ReconcilePart[] = []
    for (let i = 0; i < count && decoder.error === undefined; i++) {
      const name = decoder.string(limits.maxNameBytes)
      // a view into the frame: the reconciler copies the ids it keeps
      parts.push({ name, payload: decoder.bytes(limits.maxPayloadBytes) })
    }
    message = { type: 'reconcile', session, fromInitiator, parts }
  }
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok(message)
}
