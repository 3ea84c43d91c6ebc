import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { MAX_NODE_ID_BYTES, StandInSigner } from '../../kernel/index.ts'
import {
  decodePublication,
  encodePublication,
  encodeSignedPublication,
  MAX_ENVELOPE_OVERHEAD_BYTES,
  MAX_SIGNATURE_BYTES,
  verifyEnvelope,
} from './codec.ts'
import { DEFAULT_PUBSUB_CONFIG } from './config.ts'
import { core, deliver, TOPIC } from './testing/fixtures.ts'

const limits = DEFAULT_PUBSUB_CONFIG
const verifier = new StandInSigner('anyone')

const ids = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 40 }),
  publisher: fc.string({ minLength: 1, maxLength: 40 }),
  epoch: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
})
const envelopes = fc
  .tuple(ids, fc.uint8Array({ maxLength: 300 }))
  .map(([id, payload]) => encodeSignedPublication(id, payload, new StandInSigner(id.publisher)))

describe('pub/sub envelope codec', () => {
  it('round-trips every signed publication, whose signature then holds, and re-encodes it byte for byte', () => {
    fc.assert(
      fc.property(ids, fc.uint8Array({ maxLength: 300 }), (id, payload) => {
        const bytes = encodeSignedPublication(id, payload, new StandInSigner(id.publisher))
        const decoded = decodePublication(bytes, limits)
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error)
        const { publication } = decoded.value
        assert.deepEqual(
          { ...publication, payload: [...publication.payload], signature: undefined },
          { ...id, payload: [...payload], signature: undefined },
        )
        assert.equal(verifyEnvelope(decoded.value, verifier), true)
        assert.deepEqual(encodePublication(publication), bytes)
      }),
      { numRuns: 3_000 },
    )
  })

  it('bounds the envelope: the largest one allowed fits its stated overhead', () => {
    const id = {
      topic: 't'.repeat(limits.maxTopicBytes),
      publisher: 'p'.repeat(MAX_NODE_ID_BYTES),
      epoch: Number.MAX_SAFE_INTEGER,
      seq: Number.MAX_SAFE_INTEGER,
    }
    const bytes = encodePublication({
      ...id,
      payload: new Uint8Array(limits.maxPayloadBytes),
      signature: new Uint8Array(MAX_SIGNATURE_BYTES),
    })
    assert.ok(bytes.length <= limits.maxTopicBytes + limits.maxPayloadBytes + MAX_ENVELOPE_OVERHEAD_BYTES)
    assert.ok(decodePublication(bytes, limits).ok)
    const longSignature = encodePublication({
      ...id,
      payload: new Uint8Array(0),
      signature: new Uint8Array(MAX_SIGNATURE_BYTES + 1),
    })
    assert.deepEqual(decodePublication(longSignature, limits), { ok: false, error: 'length-too-large' })
  })

  it('never throws on arbitrary bytes, and whatever it accepts re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const bytes = Uint8Array.of(1, 0, ...tail)
        const decoded = decodePublication(bytes, limits)
        if (decoded.ok) assert.deepEqual(encodePublication(decoded.value.publication), bytes)
      }),
      { numRuns: 20_000 },
    )
  })

  it('never throws on mutated envelopes, and a mutation that still decodes fails its signature', () => {
    fc.assert(
      fc.property(
        envelopes,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (envelope, flips) => {
          const mutated = envelope.slice()
          for (const [at, mask] of flips) {
            const index = at % mutated.length
            mutated[index] = (mutated[index] as number) ^ mask
          }
          const decoded = decodePublication(mutated, limits)
          if (!decoded.ok) return true
          const same = mutated.every((byte, i) => byte === envelope[i])
          return same || !verifyEnvelope(decoded.value, verifier)
        },
      ),
      { numRuns: 10_000 },
    )
  })

  it('a core fed arbitrary and mutated envelopes never throws and delivers only what its publisher signed', () => {
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    const valid = encodeSignedPublication(
      { topic: TOPIC, publisher: 'alice', epoch: 1, seq: 1 },
      new Uint8Array(16),
      new StandInSigner('alice'),
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat({ max: 255 }), (noise, at, mask) => {
        deliver(receiver, 0, 'alice', noise)
        const mutated = valid.slice()
        mutated[at % mutated.length] = (mutated[at % mutated.length] as number) ^ mask
        deliver(receiver, 0, 'alice', mutated)
      }),
      { numRuns: 5_000 },
    )
    const received = receiver.takeEvents().filter((event) => event.type === 'Received')
    assert.equal(received.length, 1, 'only the unaltered envelope, once')
  })
})
