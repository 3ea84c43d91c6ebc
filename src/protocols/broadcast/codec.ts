/**
 * The broadcast wire format: a versioned frame (`kernel/frame.ts`) whose type tag is 0 gossip, 1 ihave,
 * 2 graft, 3 prune. Decoding is total and bounded: ids, channel names and payloads by their limits, the
 * announcements of one IHAVE by `maxAnnouncementsPerBatch`, rounds by `MAX_ROUND`.
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
import { type BroadcastConfig, DEFAULT_BROADCAST_CONFIG } from './config.ts'
import type { Announcement, BroadcastMessage, MessageId } from './types.ts'

export const BROADCAST_WIRE_VERSION = 1
const MESSAGE_TYPES = ['gossip', 'ihave', 'graft', 'prune'] as const
/** No overlay path is this long; a larger round is a corrupt or hostile frame. */
export const MAX_ROUND = 65_535

type Limits = Pick<BroadcastConfig, 'maxPayloadBytes' | 'maxChannelBytes' | 'maxAnnouncementsPerBatch'>

function writeId(encoder: Encoder, id: MessageId): void {
  encoder.string(id.origin)
  encoder.varUint(id.epoch)
  encoder.varUint(id.seq)
}

function idBytes(id: MessageId): number {
  return stringBytes(id.origin) + varUintBytes(id.epoch) + varUintBytes(id.seq)
}

export function encodeBroadcastMessage(message: BroadcastMessage): Uint8Array {
  const encoder = beginFrame(BROADCAST_WIRE_VERSION, MESSAGE_TYPES.indexOf(message.type), new Encoder(64))
  switch (message.type) {
    case 'gossip':
      writeId(encoder, message)
      encoder.varUint(message.round)
      encoder.string(message.channel)
      encoder.bytes(message.payload)
      break
    case 'ihave':
      encoder.varUint(message.announcements.length)
      for (const announcement of message.announcements) {
        writeId(encoder, announcement)
        encoder.varUint(announcement.round)
      }
      break
    case 'graft':
      encoder.bool(message.id !== undefined)
      if (message.id !== undefined) writeId(encoder, message.id)
      encoder.varUint(message.round)
      break
    case 'prune':
      break
  }
  return encoder.finish()
}

/** The encoded size, computed without encoding (the simulator's traffic accounting). */
export function encodedBroadcastBytes(message: BroadcastMessage): number {
  const header = 2
  switch (message.type) {
    case 'gossip':
      return (
        header +
        idBytes(message) +
        varUintBytes(message.round) +
        stringBytes(message.channel) +
        varUintBytes(message.payload.length) +
        message.payload.length
      )
    case 'ihave': {
      let bytes = header + varUintBytes(message.announcements.length)
      for (const announcement of message.announcements)
        bytes += idBytes(announcement) + varUintBytes(announcement.round)
      return bytes
    }
    case 'graft':
      return header + 1 + (message.id === undefined ? 0 : idBytes(message.id)) + varUintBytes(message.round)
    case 'prune':
      return header
  }
}

function readId(decoder: Decoder): MessageId {
  const origin = decoder.string(MAX_NODE_ID_BYTES)
  const epoch = decoder.varUint()
  const seq = decoder.varUint()
  return { origin, epoch, seq }
}

function readRound(decoder: Decoder): number {
  const round = decoder.varUint()
  if (round > MAX_ROUND) decoder.fail('invalid-value')
  return round
}

/** Decodes one frame. Never throws. */
export function decodeBroadcastMessage(
  bytes: Uint8Array,
  limits: Limits = DEFAULT_BROADCAST_CONFIG,
  maxFrameBytes?: number,
): Result<BroadcastMessage, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: BROADCAST_WIRE_VERSION,
    maxType: MESSAGE_TYPES.length - 1,
    ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
  })
  if (!opened.ok) return opened
  const { decoder, header } = opened.value
  let message: BroadcastMessage
  switch (MESSAGE_TYPES[header.type]) {
    case 'gossip': {
      const id = readId(decoder)
      const round = readRound(decoder)
      const channel = decoder.string(limits.maxChannelBytes)
      // copied, so that a delivered payload does not pin the whole frame it came in
      const payload = decoder.bytes(limits.maxPayloadBytes).slice()
      message = { type: 'gossip', ...id, round, channel, payload }
      break
    }
    case 'ihave': {
      const count = decoder.count(limits.maxAnnouncementsPerBatch)
      const announcements: Announcement[] = []
      for (let i = 0; i < count && decoder.error === undefined; i++) {
        const id = readId(decoder)
        announcements.push({ ...id, round: readRound(decoder) })
      }
      message = { type: 'ihave', announcements }
      break
    }
    case 'graft': {
      const withId = decoder.bool()
      const id = withId ? readId(decoder) : undefined
      message = { type: 'graft', id, round: readRound(decoder) }
      break
    }
    default:
      message = { type: 'prune' }
  }
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok(message)
}
