/**
 * The publication envelope, the payload of a broadcast on the pub/sub channel: a versioned frame
 * (`kernel/frame.ts`, type 0) of topic, publisher, epoch, seq, payload and the publisher's signature.
 *
 * The signature covers a domain tag and every byte of the frame before it, so it cannot be taken for a
 * signature over anything else the node's key signs (membership records), and no field can be changed
 * or moved between publications. Macula signs its frames the same way (the prefix `"macula-v2-frame\0"`
 * and the canonical unsigned bytes). Decoding is total and bounded by the configured limits.
 */
import {
  beginFrame,
  type DecodeErrorReason,
  Encoder,
  err,
  MAX_NODE_ID_BYTES,
  ok,
  openFrame,
  type Result,
  type Signer,
} from '../../kernel/index.ts'
import type { Publication, PublicationId } from './types.ts'

export const PUBSUB_WIRE_VERSION = 1
const PUBLICATION_TYPE = 0
/** An ed25519 signature is 64 bytes; twice that leaves room for another scheme, not for a payload. */
export const MAX_SIGNATURE_BYTES = 128
/** Envelope bytes besides topic and payload: header, length prefixes, publisher, epoch, seq, signature. */
export const MAX_ENVELOPE_OVERHEAD_BYTES =
  2 + 3 + (2 + MAX_NODE_ID_BYTES) + 8 + 8 + 4 + (2 + MAX_SIGNATURE_BYTES)
const SIGNING_DOMAIN = new TextEncoder().encode('meshwork/pubsub/1 publication\0')

export interface EnvelopeLimits {
  readonly maxTopicBytes: number
  readonly maxPayloadBytes: number
}

/** A decoded envelope and the bytes its signature covers (without the domain tag). */
export interface DecodedEnvelope {
  readonly publication: Publication
  readonly signed: Uint8Array
}

function writeUnsigned(id: PublicationId, payload: Uint8Array): Encoder {
  const encoder = beginFrame(PUBSUB_WIRE_VERSION, PUBLICATION_TYPE, new Encoder(64 + payload.length))
  encoder.string(id.topic)
  encoder.string(id.publisher)
  encoder.varUint(id.epoch)
  encoder.varUint(id.seq)
  encoder.bytes(payload)
  return encoder
}

function withDomain(unsigned: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(SIGNING_DOMAIN.length + unsigned.length)
  bytes.set(SIGNING_DOMAIN)
  bytes.set(unsigned, SIGNING_DOMAIN.length)
  return bytes
}

/** Signs and encodes a publication of this node (`id.publisher` must be the signer's node). */
export function encodeSignedPublication(id: PublicationId, payload: Uint8Array, signer: Signer): Uint8Array {
  const encoder = writeUnsigned(id, payload)
  encoder.bytes(signer.sign(withDomain(encoder.finish())))
  return encoder.finish()
}

/** Encodes a publication with the signature it carries (tests, and relaying one as it came). */
export function encodePublication(publication: Publication): Uint8Array {
  const encoder = writeUnsigned(publication, publication.payload)
  encoder.bytes(publication.signature)
  return encoder.finish()
}

/** Whether the envelope's signature is its publisher's. Never throws. */
export function verifyEnvelope(envelope: DecodedEnvelope, signer: Signer): boolean {
  const { publication, signed } = envelope
  return signer.verify(publication.publisher, withDomain(signed), publication.signature)
}

/**
 * Decodes one envelope. Never throws. Payload and signature are views into `bytes`, not copies: every
 * node receives every publication, and most are on topics it does not subscribe to.
 */
export function decodePublication(
  bytes: Uint8Array,
  limits: EnvelopeLimits,
): Result<DecodedEnvelope, DecodeErrorReason> {
  const opened = openFrame(bytes, {
    version: PUBSUB_WIRE_VERSION,
    maxType: PUBLICATION_TYPE,
    maxFrameBytes: limits.maxTopicBytes + limits.maxPayloadBytes + MAX_ENVELOPE_OVERHEAD_BYTES,
  })
  if (!opened.ok) return opened
  const { decoder } = opened.value
  const topic = decoder.string(limits.maxTopicBytes)
  const publisher = decoder.string(MAX_NODE_ID_BYTES)
  const epoch = decoder.varUint()
  const seq = decoder.varUint()
  const payload = decoder.bytes(limits.maxPayloadBytes)
  const signedLength = decoder.offset
  const signature = decoder.bytes(MAX_SIGNATURE_BYTES)
  if (seq === 0 || publisher.length === 0) decoder.fail('invalid-value')
  if (!decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok({
    publication: {
      topic,
      publisher,
      epoch,
      seq,
      payload,
      signature,
    },
    signed: bytes.subarray(0, signedLength),
  })
}
