/**
 * The state protocol's wire format: a versioned frame (`kernel/frame.ts`), type 0 an anti-entropy
 * message (its own frame, nested as bytes), type 1 a repair (object name, CRDT bytes). Decoding is total;
 * the nested parts are decoded with their own limits.
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
import {
  type AntiEntropyLimits,
  decodeAntiEntropyMessage,
  encodeAntiEntropyMessage,
  encodedAntiEntropyBytes,
} from '../antientropy/index.ts'
import type { ReplicationMessage } from './types.ts'

export const REPLICATION_WIRE_VERSION = 1
const MESSAGE_TYPES = ['ae', 'items'] as const

export interface ReplicationWireLimits {
  readonly antiEntropy: AntiEntropyLimits
  readonly maxNameBytes: number
  readonly maxFrameBytes: number
}

export function encodeReplicationMessage(message: ReplicationMessage): Uint8Array {
  const encoder = beginFrame(REPLICATION_WIRE_VERSION, MESSAGE_TYPES.indexOf(message.type), new Encoder(256))
  if (message.type === 'ae') encoder.bytes(encodeAntiEntropyMessage(message.message))
  else {
    encoder.string(message.name)
    encoder.bytes(message.state)
  }
  return encoder.finish()
}

export function encodedReplicationBytes(message: ReplicationMessage): number {
  if (message.type === 'ae') {
    const inner = encodedAntiEntropyBytes(message.message)
    return 2 + varUintBytes(inner) + inner
  }
  return 2 + stringBytes(message.name) + varUintBytes(message.state.length) + message.state.length
}

export function decodeReplicationMessage(
  bytes: Uint8Array,
  limits: ReplicationWireLimits,
): Result<ReplicationMessage, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: REPLICATION_WIRE_VERSION,
    maxType: MESSAGE_TYPES.length - 1,
    maxFrameBytes: limits.maxFrameBytes,
  })
  if (!opened.ok) return opened
  const { decoder, header } = opened.value
  if (MESSAGE_TYPES[header.type] === 'ae') {
    const inner = decoder.bytes(limits.maxFrameBytes)
    if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
    const message = decodeAntiEntropyMessage(inner, limits.antiEntropy)
    return message.ok ? ok({ type: 'ae', message: message.value }) : message
  }
  const name = decoder.string(limits.maxNameBytes)
  // copied: a merged state must not pin the frame it came in
  const state = decoder.bytes(limits.maxFrameBytes).slice()
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok({ type: 'items', name, state })
}
