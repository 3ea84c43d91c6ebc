/**
 * Wire format of membership messages: one versioned frame per message (`kernel/frame.ts`), fields as
 * symmetric write/read pairs. Decoding is total: any malformed input yields a counted reason.
 *
 * Frame type tags: 0 ping, 1 ack, 2 ping-req, 3 nack, 4 gossip, 5 push-pull, 6 state-digest.
 *
 * Version 2 added the member's signature to every record (`signedRecordBytes` is what it signs) and the
 * state digest that opens a periodic exchange.
 */
import {
  beginFrame,
  CONNECTION_CLASSES,
  DEFAULT_MAX_FRAME_BYTES,
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
import type {
  MemberProfile,
  MemberRecord,
  MemberState,
  MembershipMessage,
  MemberUpdate,
  MessageType,
} from './types.ts'

export const MEMBERSHIP_WIRE_VERSION = 2

/** Bounds on what a remote peer may make us allocate. */
export const WIRE_LIMITS = Object.freeze({
  maxUpdatesPerMessage: 1_024,
  maxRecordsPerMessage: 100_000,
  maxAddresses: 16,
  maxAddressBytes: 256,
  maxLabels: 32,
  maxLabelBytes: 64,
  maxRegionBytes: 64,
  maxCapacity: 1_000_000,
  maxMemoryMb: 1 << 30,
  /** ed25519 signatures are 64 bytes; room for other schemes. */
  maxSignatureBytes: 128,
})

/** Separates member-record signatures from anything else the same key might sign. */
const RECORD_SIGNATURE_DOMAIN = 'meshwork/member-record/2'

const utf8 = new TextEncoder()

/**
 * Why a local record would be refused by peers' decoders, or undefined when it fits the wire limits.
 * Checked when a node starts, so a bad profile is a clear local error rather than silent rejections.
 */
export function recordLimitProblem(record: MemberRecord): string | undefined {
  const bytes = (text: string): number => utf8.encode(text).length
  if (record.id.length === 0 || bytes(record.id) > MAX_NODE_ID_BYTES)
    return `id must be 1–${MAX_NODE_ID_BYTES} bytes`
  if (record.addresses.length > WIRE_LIMITS.maxAddresses)
    return `at most ${WIRE_LIMITS.maxAddresses} addresses`
  if (record.addresses.some((address) => bytes(address) > WIRE_LIMITS.maxAddressBytes)) {
    return `each address must be at most ${WIRE_LIMITS.maxAddressBytes} bytes`
  }
  const { labels, capacity, memoryMb, region } = record.profile
  if (labels.length > WIRE_LIMITS.maxLabels) return `at most ${WIRE_LIMITS.maxLabels} labels`
  if (labels.some((label) => bytes(label) > WIRE_LIMITS.maxLabelBytes)) {
    return `each label must be at most ${WIRE_LIMITS.maxLabelBytes} bytes`
  }
  if (bytes(region) > WIRE_LIMITS.maxRegionBytes)
    return `region must be at most ${WIRE_LIMITS.maxRegionBytes} bytes`
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > WIRE_LIMITS.maxCapacity) {
    return `capacity must be an integer from 0 to ${WIRE_LIMITS.maxCapacity}`
  }
  if (!Number.isInteger(memoryMb) || memoryMb < 0 || memoryMb > WIRE_LIMITS.maxMemoryMb) {
    return `memoryMb must be an integer from 0 to ${WIRE_LIMITS.maxMemoryMb}`
  }
  return undefined
}

const MESSAGE_TYPES: readonly MessageType[] = [
  'ping',
  'ack',
  'ping-req',
  'nack',
  'gossip',
  'push-pull',
  'state-digest',
]
/** A view digest is a uint32 (`view-digest.ts`). */
const MAX_DIGEST = 0xffff_ffff
const STATES: readonly MemberState[] = ['alive', 'suspect', 'failed', 'left']
const UPDATE_KINDS: readonly MemberUpdate['kind'][] = ['alive', 'suspect', 'failed', 'left']

function writeProfile(encoder: Encoder, profile: MemberProfile): void {
  encoder.varUint(profile.labels.length)
  for (const label of profile.labels) encoder.string(label)
  encoder.varUint(profile.capacity)
  encoder.varUint(profile.memoryMb)
  encoder.u8(CONNECTION_CLASSES.indexOf(profile.connectionClass))
  encoder.string(profile.region)
  encoder.bool(profile.hidden)
}

/** The bytes `writeProfile` writes, computed without writing. */
function profileBytes(profile: MemberProfile): number {
  let bytes = varUintBytes(profile.labels.length)
  for (const label of profile.labels) bytes += stringBytes(label)
  bytes += varUintBytes(profile.capacity) + varUintBytes(profile.memoryMb) + 1
  return bytes + stringBytes(profile.region) + 1
}

function readProfile(decoder: Decoder): MemberProfile {
  const labelCount = decoder.count(WIRE_LIMITS.maxLabels)
  const labels: string[] = []
  for (let i = 0; i < labelCount; i++) labels.push(decoder.string(WIRE_LIMITS.maxLabelBytes))
  const capacity = decoder.varUint()
  const memoryMb = decoder.varUint()
  const connectionClass = CONNECTION_CLASSES[decoder.u8()]
  const region = decoder.string(WIRE_LIMITS.maxRegionBytes)
  const hidden = decoder.bool()
  if (
    connectionClass === undefined ||
    capacity > WIRE_LIMITS.maxCapacity ||
    memoryMb > WIRE_LIMITS.maxMemoryMb
  ) {
    decoder.fail('invalid-value')
  }
  return { labels, capacity, memoryMb, connectionClass: connectionClass ?? 'lan', region, hidden }
}

function writeRecord(encoder: Encoder, record: MemberRecord): void {
  encoder.string(record.id)
  encoder.varUint(record.incarnation)
  encoder.u8(STATES.indexOf(record.state))
  encoder.varUint(record.addresses.length)
  for (const address of record.addresses) encoder.string(address)
  writeProfile(encoder, record.profile)
  encoder.bytes(record.signature)
}

/**
 * What a member signs about itself: a domain tag, its id, incarnation, addresses and profile — every
 * field of its record but the state (the holder's view). Any change to one of them voids the signature.
 */
export function signedRecordBytes(record: Omit<MemberRecord, 'state' | 'signature'>): Uint8Array {
  const encoder = new Encoder(128)
  encoder.string(RECORD_SIGNATURE_DOMAIN)
  encoder.string(record.id)
  encoder.varUint(record.incarnation)
  encoder.varUint(record.addresses.length)
  for (const address of record.addresses) encoder.string(address)
  writeProfile(encoder, record.profile)
  return encoder.finish()
}

function readRecord(decoder: Decoder): MemberRecord {
  const id = readId(decoder)
  const incarnation = decoder.varUint()
  const state = STATES[decoder.u8()]
  const addressCount = decoder.count(WIRE_LIMITS.maxAddresses)
  const addresses: string[] = []
  for (let i = 0; i < addressCount; i++) addresses.push(decoder.string(WIRE_LIMITS.maxAddressBytes))
  const profile = readProfile(decoder)
  // copied: a view would keep the whole frame (a push-pull of thousands of records) alive with the record
  const signature = decoder.bytes(WIRE_LIMITS.maxSignatureBytes).slice()
  if (state === undefined) decoder.fail('invalid-value')
  return { id, incarnation, state: state ?? 'alive', addresses, profile, signature }
}

function readId(decoder: Decoder): string {
  const id = decoder.string(MAX_NODE_ID_BYTES)
  if (id.length === 0) decoder.fail('invalid-value')
  return id
}

export function writeUpdate(encoder: Encoder, update: MemberUpdate): void {
  encoder.u8(UPDATE_KINDS.indexOf(update.kind))
  switch (update.kind) {
    case 'alive':
      writeRecord(encoder, update.record)
      return
    case 'suspect':
    case 'failed':
      encoder.string(update.id)
      encoder.varUint(update.incarnation)
      encoder.string(update.from)
      return
    case 'left':
      encoder.string(update.id)
      encoder.varUint(update.incarnation)
      return
  }
}

function readUpdate(decoder: Decoder): MemberUpdate {
  const kind = UPDATE_KINDS[decoder.u8()]
  switch (kind) {
    case 'alive': {
      const record = readRecord(decoder)
      if (record.state !== 'alive') decoder.fail('invalid-value')
      return { kind, record }
    }
    case 'suspect':
    case 'failed':
      return { kind, id: readId(decoder), incarnation: decoder.varUint(), from: readId(decoder) }
    case 'left':
      return { kind, id: readId(decoder), incarnation: decoder.varUint() }
    default:
      decoder.fail('invalid-value')
      return { kind: 'left', id: '', incarnation: 0 }
  }
}

function readUpdates(decoder: Decoder): MemberUpdate[] {
  const count = decoder.count(WIRE_LIMITS.maxUpdatesPerMessage)
  const updates: MemberUpdate[] = []
  for (let i = 0; i < count && decoder.error === undefined; i++) updates.push(readUpdate(decoder))
  return updates
}

/** Everything of a message up to its list of updates or records, the count of that list included. */
function writeHead(encoder: Encoder, message: MembershipMessage): void {
  beginFrame(MEMBERSHIP_WIRE_VERSION, MESSAGE_TYPES.indexOf(message.type), encoder)
  switch (message.type) {
    case 'ping':
    case 'ack':
      encoder.varUint(message.seq)
      encoder.varUint(message.updates.length)
      return
    case 'ping-req':
      encoder.varUint(message.seq)
      encoder.string(message.target)
      encoder.varUint(message.updates.length)
      return
    case 'nack':
      encoder.varUint(message.seq)
      return
    case 'gossip':
      encoder.varUint(message.updates.length)
      return
    case 'push-pull':
      encoder.bool(message.join)
      encoder.bool(message.reply)
      encoder.varUint(message.records.length)
      return
    case 'state-digest':
      encoder.varUint(message.digest)
      encoder.varUint(message.members)
      return
  }
}

function writeMessage(encoder: Encoder, message: MembershipMessage): void {
  writeHead(encoder, message)
  if (message.type === 'push-pull') for (const record of message.records) writeRecord(encoder, record)
  else if ('updates' in message) for (const update of message.updates) writeUpdate(encoder, update)
}

export function encodeMessage(message: MembershipMessage): Uint8Array {
  const encoder = new Encoder(64)
  writeMessage(encoder, message)
  return encoder.finish()
}

/** The bytes `writeHead` writes (a version byte, then the type tag and the fields), computed without writing. */
function headBytes(message: MembershipMessage): number {
  const frame = 1 + varUintBytes(MESSAGE_TYPES.indexOf(message.type))
  switch (message.type) {
    case 'ping':
    case 'ack':
      return frame + varUintBytes(message.seq) + varUintBytes(message.updates.length)
    case 'ping-req':
      return (
        frame + varUintBytes(message.seq) + stringBytes(message.target) + varUintBytes(message.updates.length)
      )
    case 'nack':
      return frame + varUintBytes(message.seq)
    case 'gossip':
      return frame + varUintBytes(message.updates.length)
    case 'push-pull':
      return frame + 2 + varUintBytes(message.records.length)
    case 'state-digest':
      return frame + varUintBytes(message.digest) + varUintBytes(message.members)
  }
}

/** Encoded size in bytes, without encoding (for byte budgets and accounting). */
export function encodedMessageBytes(message: MembershipMessage): number {
  let bytes = headBytes(message)
  if (message.type === 'push-pull') bytes += recordListBytes(message.records)
  else if ('updates' in message) for (const update of message.updates) bytes += encodedUpdateBytes(update)
  return bytes
}

/**
 * Summed record sizes of record lists whose sum is already known: a push-pull copies the member table's
 * record list, whose size the table keeps as it changes, so sizing the message need not visit thousands
 * of records again. Weak, like `recordSizes`.
 */
const recordListSizes = new WeakMap<readonly MemberRecord[], number>()

/** Notes that `records` (which must not change afterwards) encode to `bytes` in all. */
export function rememberRecordListBytes(records: readonly MemberRecord[], bytes: number): void {
  recordListSizes.set(records, bytes)
}

function recordListBytes(records: readonly MemberRecord[]): number {
  let bytes = recordListSizes.get(records)
  if (bytes === undefined) {
    bytes = 0
    for (const record of records) bytes += encodedRecordBytes(record)
  }
  return bytes
}

/**
 * Encoded sizes of records, kept per record object. Records are immutable, and a node sizes the same
 * record again and again (every push-pull it sends, every gossip message that carries it; the simulator
 * counts the bytes of every message, and passes one record object from node to node), so a lookup here
 * is several times cheaper than sizing the record field by field. A WeakMap keeps no record alive: it is
 * bounded by the records held elsewhere and drops each entry with its record.
 */
const recordSizes = new WeakMap<MemberRecord, number>()

/** The bytes `writeRecord` writes, computed field by field without writing them (or remembered). */
export function encodedRecordBytes(record: MemberRecord): number {
  let bytes = recordSizes.get(record)
  if (bytes === undefined) {
    bytes = stringBytes(record.id) + varUintBytes(record.incarnation) + 1
    bytes += varUintBytes(record.addresses.length)
    for (const address of record.addresses) bytes += stringBytes(address)
    bytes += profileBytes(record.profile)
    bytes += varUintBytes(record.signature.length) + record.signature.length
    recordSizes.set(record, bytes)
  }
  return bytes
}

/** The bytes `writeUpdate` writes: the kind byte, then the record or the fields. */
export function encodedUpdateBytes(update: MemberUpdate): number {
  switch (update.kind) {
    case 'alive':
      return 1 + encodedRecordBytes(update.record)
    case 'suspect':
    case 'failed':
      return 1 + stringBytes(update.id) + varUintBytes(update.incarnation) + stringBytes(update.from)
    case 'left':
      return 1 + stringBytes(update.id) + varUintBytes(update.incarnation)
  }
}

/** Decodes one frame. Never throws; a malformed frame yields the reason to count. */
export function decodeMessage(
  bytes: Uint8Array,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Result<MembershipMessage, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: MEMBERSHIP_WIRE_VERSION,
    maxType: MESSAGE_TYPES.length - 1,
    maxFrameBytes,
  })
  if (!opened.ok) return opened
  const { decoder, header } = opened.value
  const message = readMessage(decoder, MESSAGE_TYPES[header.type] as MessageType)
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok(message)
}

function readMessage(decoder: Decoder, type: MessageType): MembershipMessage {
  switch (type) {
    case 'ping':
    case 'ack': {
      const seq = decoder.varUint()
      return { type, seq, updates: readUpdates(decoder) }
    }
    case 'ping-req': {
      const seq = decoder.varUint()
      const target = readId(decoder)
      return { type, seq, target, updates: readUpdates(decoder) }
    }
    case 'nack':
      return { type, seq: decoder.varUint() }
    case 'gossip':
      return { type, updates: readUpdates(decoder) }
    case 'push-pull': {
      const join = decoder.bool()
      const reply = decoder.bool()
      const count = decoder.count(WIRE_LIMITS.maxRecordsPerMessage)
      const records: MemberRecord[] = []
      for (let i = 0; i < count && decoder.error === undefined; i++) records.push(readRecord(decoder))
      return { type, join, reply, records }
    }
    case 'state-digest': {
      const digest = decoder.varUint()
      const members = decoder.varUint()
      if (digest > MAX_DIGEST) decoder.fail('invalid-value')
      return { type, digest, members }
    }
  }
}
