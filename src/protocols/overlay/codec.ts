/**
 * Wire format of overlay messages: one versioned frame per message (`kernel/frame.ts`), fields as
 * symmetric write/read pairs. Decoding is total: any malformed input yields a counted reason, never an
 * exception.
 *
 * Frame type tags: 0 join, 1 forward-join, 2 neighbor, 3 neighbor-reply, 4 disconnect, 5 shuffle,
 * 6 shuffle-reply, 7 ping, 8 pong, 9 optimize, 10 replace, 11 replace-reply, 12 switch, 13 switch-reply.
 * Tags 9–13 (X-BOT's exchange) were added within wire version 1: a decoder that predates them refuses
 * them as an unknown type (counted), so the exchange times out and nothing else is misread.
 * Round-trip figures travel as whole microseconds (varint, at most 2³² − 1).
 *
 * What a peer can make a decoder allocate is bounded: a sample holds at most `MAX_SAMPLE_IDS` ids of at
 * most `MAX_NODE_ID_BYTES` each; TTLs are one byte (the core clamps them further to its own walk
 * lengths); nonces are 32-bit. Flags with unknown bits set are refused rather than ignored, so a later
 * version that gives them meaning cannot be misread by this one.
 */
import {
  beginFrame,
  type DecodeErrorReason,
  type Decoder,
  Encoder,
  err,
  MAX_NODE_ID_BYTES,
  ok,
  openFrame,
  type Result,
  stringBytes,
  varUintBytes,
} from '../../kernel/index.ts'
import { MAX_SAMPLE_IDS } from './config.ts'
import { OVERLAY_MESSAGE_TYPES, type OverlayMessage, type OverlayMessageType } from './types.ts'

export const OVERLAY_WIRE_VERSION = 1

/** The largest frame a well-formed overlay message can be (a full shuffle of maximal ids), rounded up. */
export const OVERLAY_MAX_FRAME_BYTES = 4 + (MAX_SAMPLE_IDS + 1) * (MAX_NODE_ID_BYTES + 2) + 16

const MAX_NONCE = 0xffff_ffff
const MAX_MICROS = 0xffff_ffff
const NEIGHBOR_HIGH = 1
const NEIGHBOR_LONG = 2

function writeSample(encoder: Encoder, sample: readonly string[]): void {
  encoder.varUint(sample.length)
  for (const id of sample) encoder.string(id)
}

function readId(decoder: Decoder): string {
  const id = decoder.string(MAX_NODE_ID_BYTES)
  if (id.length === 0) decoder.fail('invalid-value')
  return id
}

function readSample(decoder: Decoder): string[] {
  const count = decoder.count(MAX_SAMPLE_IDS)
  const sample: string[] = []
  for (let i = 0; i < count && decoder.error === undefined; i++) sample.push(readId(decoder))
  return sample
}

/** A non-negative duration in milliseconds as whole microseconds, clamped to the wire's range. */
function micros(ms: number): number {
  const us = Math.round(ms * 1_000)
  return us > 0 ? Math.min(us, MAX_MICROS) : 0
}

function writeMessage(encoder: Encoder, message: OverlayMessage): void {
  beginFrame(OVERLAY_WIRE_VERSION, OVERLAY_MESSAGE_TYPES.indexOf(message.type), encoder)
  switch (message.type) {
    case 'join':
      return
    case 'forward-join':
      encoder.string(message.newNode)
      encoder.u8(message.ttl)
      return
    case 'neighbor':
      encoder.u8((message.priority === 'high' ? NEIGHBOR_HIGH : 0) | (message.long ? NEIGHBOR_LONG : 0))
      return
    case 'neighbor-reply':
      encoder.bool(message.accepted)
      return
    case 'disconnect':
      encoder.bool(message.leaving)
      return
    case 'shuffle':
      encoder.string(message.origin)
      encoder.u8(message.ttl)
      writeSample(encoder, message.sample)
      return
    case 'shuffle-reply':
      writeSample(encoder, message.sample)
      return
    case 'ping':
      encoder.varUint(message.nonce)
      encoder.bool(message.neighbor)
      return
    case 'pong':
      encoder.varUint(message.nonce)
      return
    case 'optimize':
      encoder.string(message.old)
      encoder.varUint(micros(message.rttMs))
      encoder.varUint(micros(message.oldRttMs))
      return
    case 'replace':
      encoder.string(message.initiator)
      encoder.string(message.old)
      encoder.varUint(micros(message.budgetMs))
      return
    case 'switch':
      encoder.string(message.initiator)
      encoder.bool(message.long)
      return
    case 'replace-reply':
      encoder.bool(message.accepted)
      return
    case 'switch-reply':
      encoder.bool(message.accepted)
      encoder.bool(message.long)
      return
  }
}

export function encodeMessage(message: OverlayMessage): Uint8Array {
  const encoder = new Encoder(32)
  writeMessage(encoder, message)
  return encoder.finish()
}

function sampleBytes(sample: readonly string[]): number {
  let bytes = varUintBytes(sample.length)
  for (const id of sample) bytes += stringBytes(id)
  return bytes
}

/** Encoded size in bytes, computed without encoding (the simulator's traffic accounting). */
export function encodedMessageBytes(message: OverlayMessage): number {
  // version byte and a one-byte type tag
  const frame = 2
  switch (message.type) {
    case 'join':
      return frame
    case 'forward-join':
      return frame + stringBytes(message.newNode) + 1
    case 'neighbor':
    case 'neighbor-reply':
    case 'disconnect':
    case 'replace-reply':
      return frame + 1
    case 'switch-reply':
      return frame + 2
    case 'shuffle':
      return frame + stringBytes(message.origin) + 1 + sampleBytes(message.sample)
    case 'shuffle-reply':
      return frame + sampleBytes(message.sample)
    case 'ping':
      return frame + varUintBytes(message.nonce) + 1
    case 'pong':
      return frame + varUintBytes(message.nonce)
    case 'optimize':
      return (
        frame +
        stringBytes(message.old) +
        varUintBytes(micros(message.rttMs)) +
        varUintBytes(micros(message.oldRttMs))
      )
    case 'replace':
      return (
        frame +
        stringBytes(message.initiator) +
        stringBytes(message.old) +
        varUintBytes(micros(message.budgetMs))
      )
    case 'switch':
      return frame + stringBytes(message.initiator) + 1
  }
}

/** Decodes one frame. Never throws; a malformed frame yields the reason to count. */
export function decodeMessage(bytes: Uint8Array): Result<OverlayMessage, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: OVERLAY_WIRE_VERSION,
    maxType: OVERLAY_MESSAGE_TYPES.length - 1,
    maxFrameBytes: OVERLAY_MAX_FRAME_BYTES,
  })
  if (!opened.ok) return opened
  const { decoder, header } = opened.value
  const message = readMessage(decoder, OVERLAY_MESSAGE_TYPES[header.type] as OverlayMessageType)
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok(message)
}

function readNonce(decoder: Decoder): number {
  const nonce = decoder.varUint()
  if (nonce > MAX_NONCE) decoder.fail('invalid-value')
  return nonce
}

function readMillis(decoder: Decoder): number {
  const us = decoder.varUint()
  if (us > MAX_MICROS) decoder.fail('invalid-value')
  return us / 1_000
}

function readMessage(decoder: Decoder, type: OverlayMessageType): OverlayMessage {
  switch (type) {
    case 'join':
      return { type }
    case 'forward-join': {
      const newNode = readId(decoder)
      return { type, newNode, ttl: decoder.u8() }
    }
    case 'neighbor': {
      const flags = decoder.u8()
      if ((flags & ~(NEIGHBOR_HIGH | NEIGHBOR_LONG)) !== 0) decoder.fail('invalid-value')
      return {
        type,
        priority: (flags & NEIGHBOR_HIGH) !== 0 ? 'high' : 'low',
        long: (flags & NEIGHBOR_LONG) !== 0,
      }
    }
    case 'neighbor-reply':
      return { type, accepted: decoder.bool() }
    case 'disconnect':
      return { type, leaving: decoder.bool() }
    case 'shuffle': {
      const origin = readId(decoder)
      const ttl = decoder.u8()
      return { type, origin, ttl, sample: readSample(decoder) }
    }
    case 'shuffle-reply':
      return { type, sample: readSample(decoder) }
    case 'ping': {
      const nonce = readNonce(decoder)
      return { type, nonce, neighbor: decoder.bool() }
    }
    case 'pong':
      return { type, nonce: readNonce(decoder) }
    case 'optimize': {
      const old = readId(decoder)
      const rttMs = readMillis(decoder)
      return { type, old, rttMs, oldRttMs: readMillis(decoder) }
    }
    case 'replace': {
      const initiator = readId(decoder)
      const old = readId(decoder)
      return { type, initiator, old, budgetMs: readMillis(decoder) }
    }
    case 'switch': {
      const initiator = readId(decoder)
      return { type, initiator, long: decoder.bool() }
    }
    case 'replace-reply':
      return { type, accepted: decoder.bool() }
    case 'switch-reply': {
      const accepted = decoder.bool()
      return { type, accepted, long: decoder.bool() }
    }
  }
}
