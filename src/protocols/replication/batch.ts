/**
 * A signed batch of deltas: what one origin broadcasts every `batchIntervalMs` while it has local writes.
 * The envelope names the realm, the origin, its boot epoch, a sequence number and the origin's clock, then
 * the deltas (object name and the delta's canonical CRDT bytes, whose type tag and, for top-N, capacity say
 * what object it belongs to). The origin signs the encoded envelope once; a receiver verifies once per
 * batch, never per delta — verification costs two to three orders of magnitude more than a merge
 * (`shared/reference/state.md` §10).
 *
 * Payload: version byte, envelope bytes (length-prefixed), signature bytes (length-prefixed).
 */
import {
  type DecodeErrorReason,
  Decoder,
  Encoder,
  err,
  MAX_NODE_ID_BYTES,
  ok,
  type Result,
  type Signer,
} from '../../kernel/index.ts'
import { type AnyCrdt, type CrdtLimits, readCrdt, writeCrdt } from '../crdt/index.ts'

export const BATCH_VERSION = 1
const MAX_SIGNATURE_BYTES = 128
const MAX_REALM_BYTES = 256

export interface BatchDelta {
  readonly name: string
  readonly delta: AnyCrdt
}

export interface BatchEnvelope {
  readonly realm: string
  readonly origin: string
  readonly epoch: number
  readonly seq: number
  /** The origin's clock when it sealed the batch (the receivers' timestamp window checks it). */
  readonly sealedAt: number
  readonly deltas: readonly BatchDelta[]
}

export interface BatchLimits {
  readonly maxDeltasPerBatch: number
  readonly maxNameBytes: number
  readonly crdt: CrdtLimits
}

export function sealBatch(envelope: BatchEnvelope, signer: Signer): Uint8Array {
  const body = new Encoder(256)
  body.string(envelope.realm)
  body.string(envelope.origin)
  body.varUint(envelope.epoch)
  body.varUint(envelope.seq)
  body.varUint(envelope.sealedAt)
  body.varUint(envelope.deltas.length)
  for (const { name, delta } of envelope.deltas) {
    body.string(name)
    writeCrdt(body, delta)
  }
  const signed = body.finish()
  const out = new Encoder(signed.length + 96)
  out.u8(BATCH_VERSION)
  out.bytes(signed)
  out.bytes(signer.sign(signed))
  return out.finish()
}

export interface OpenedBatch {
  readonly envelope: BatchEnvelope
  readonly signed: Uint8Array
  readonly signature: Uint8Array
}

/**
 * Splits a payload into the signed envelope and its signature and decodes the envelope. Never throws;
 * the caller verifies the signature before it trusts anything decoded here.
 */
export function openBatch(payload: Uint8Array, limits: BatchLimits): Result<OpenedBatch, DecodeErrorReason> {
  const outer = new Decoder(payload)
  if (outer.u8() !== BATCH_VERSION && outer.error === undefined) return err('bad-version')
  const signed = outer.bytes(payload.length)
  const signature = outer.bytes(MAX_SIGNATURE_BYTES)
  if (!outer.done()) return err(outer.error ?? 'invalid-value')
  const decoder = new Decoder(signed)
  const realm = decoder.string(MAX_REALM_BYTES)
  const origin = decoder.string(MAX_NODE_ID_BYTES)
  const epoch = decoder.varUint()
  const seq = decoder.varUint()
  const sealedAt = decoder.varUint()
  const count = decoder.count(limits.maxDeltasPerBatch)
  const deltas: BatchDelta[] = []
  for (let i = 0; i < count && decoder.error === undefined; i++) {
    const name = decoder.string(limits.maxNameBytes)
    const delta = readCrdt(decoder, limits.crdt)
    if (delta !== undefined) deltas.push({ name, delta })
  }
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok({ envelope: { realm, origin, epoch, seq, sealedAt, deltas }, signed, signature })
}
