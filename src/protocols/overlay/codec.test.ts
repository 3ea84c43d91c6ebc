/**
 * The overlay codec, as laws: every message encodes and decodes to itself, `encodedMessageBytes` is the
 * encoded length, and any byte string — random, a valid frame mutated, truncated or extended — decodes to
 * a message or a reason without throwing, never to a sample longer than the wire limit. fast-check
 * prints the seed of a failing case; `MESHWORK_FUZZ_SEED=<seed>` replays it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { DECODE_ERROR_REASONS, MAX_NODE_ID_BYTES } from '../../kernel/index.ts'
import { decodeMessage, encodedMessageBytes, encodeMessage, OVERLAY_MAX_FRAME_BYTES } from './codec.ts'
import { MAX_SAMPLE_IDS } from './config.ts'
import type { OverlayMessage } from './types.ts'

const seed =
  process.env.MESHWORK_FUZZ_SEED === undefined ? {} : { seed: Number(process.env.MESHWORK_FUZZ_SEED) }

const id = fc
  .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
  .filter((text) => new TextEncoder().encode(text).length <= MAX_NODE_ID_BYTES)
const sample = fc.array(id, { maxLength: MAX_SAMPLE_IDS })
const ttl = fc.integer({ min: 0, max: 255 })
const nonce = fc.integer({ min: 0, max: 0xffff_ffff })
// round trips travel as whole microseconds
const rtt = fc.integer({ min: 0, max: 0xffff_ffff }).map((us) => us / 1_000)

const message: fc.Arbitrary<OverlayMessage> = fc.oneof(
  fc.constant({ type: 'join' } as const),
  fc.record({ type: fc.constant('forward-join' as const), newNode: id, ttl }),
  fc.record({
    type: fc.constant('neighbor' as const),
    priority: fc.constantFrom('high' as const, 'low' as const),
    long: fc.boolean(),
  }),
  fc.record({ type: fc.constant('neighbor-reply' as const), accepted: fc.boolean() }),
  fc.record({ type: fc.constant('disconnect' as const), leaving: fc.boolean() }),
  fc.record({ type: fc.constant('shuffle' as const), origin: id, ttl, sample }),
  fc.record({ type: fc.constant('shuffle-reply' as const), sample }),
  fc.record({ type: fc.constant('ping' as const), nonce, neighbor: fc.boolean() }),
  fc.record({ type: fc.constant('pong' as const), nonce }),
  fc.record({ type: fc.constant('optimize' as const), old: id, rttMs: rtt, oldRttMs: rtt }),
  fc.record({ type: fc.constant('replace' as const), initiator: id, old: id, budgetMs: rtt }),
  fc.record({ type: fc.constant('replace-reply' as const), accepted: fc.boolean() }),
  fc.record({ type: fc.constant('switch' as const), initiator: id, long: fc.boolean() }),
  fc.record({ type: fc.constant('switch-reply' as const), accepted: fc.boolean(), long: fc.boolean() }),
)

describe('overlay codec', () => {
  it('decodes every encoded message to itself, at the size it computes', () => {
    fc.assert(
      fc.property(message, (original) => {
        const bytes = encodeMessage(original)
        assert.equal(encodedMessageBytes(original), bytes.length)
        assert.ok(bytes.length <= OVERLAY_MAX_FRAME_BYTES)
        assert.deepEqual(decodeMessage(bytes), { ok: true, value: { ...original } })
      }),
      { numRuns: 5_000, ...seed },
    )
  })

  it('never throws on random bytes, and refuses with a known reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const decoded = decodeMessage(bytes)
        if (!decoded.ok) assert.ok(DECODE_ERROR_REASONS.includes(decoded.error))
      }),
      { numRuns: 20_000, ...seed },
    )
  })

  it('never throws on valid frames mutated, truncated or extended, and never yields an oversized sample', () => {
    const mutated = fc
      .tuple(
        message,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 8 }),
      )
      .map(([original, flips, cut, tail]) => {
        const bytes = encodeMessage(original)
        for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value
        const kept = bytes.subarray(0, bytes.length - (cut % (bytes.length + 1)))
        return cut % 2 === 0 ? kept : Uint8Array.from([...kept, ...tail])
      })
    fc.assert(
      fc.property(mutated, (bytes) => {
        const decoded = decodeMessage(bytes)
        if (!decoded.ok) return
        const value = decoded.value
        if (value.type === 'shuffle' || value.type === 'shuffle-reply') {
          assert.ok(value.sample.length <= MAX_SAMPLE_IDS)
          assert.ok(value.sample.every((entry) => entry.length > 0))
        }
      }),
      { numRuns: 20_000, ...seed },
    )
  })

  it('refuses a sample longer than the wire limit, an empty id, unknown flag bits and an oversized nonce', () => {
    const long = encodeMessage({
      type: 'shuffle-reply',
      sample: Array.from({ length: MAX_SAMPLE_IDS + 1 }, (_, i) => `n${i}`),
    })
    assert.deepEqual(decodeMessage(long), { ok: false, error: 'length-too-large' })
    // version, type 1 (forward-join), an id of length 0, a ttl
    assert.deepEqual(decodeMessage(Uint8Array.from([1, 1, 0, 3])), { ok: false, error: 'invalid-value' })
    const flags = encodeMessage({ type: 'neighbor', priority: 'high', long: true })
    flags[2] = 0x04
    assert.deepEqual(decodeMessage(flags), { ok: false, error: 'invalid-value' })
    const bigNonce = Uint8Array.from([1, 8, 0x80, 0x80, 0x80, 0x80, 0x10])
    assert.deepEqual(decodeMessage(bigNonce), { ok: false, error: 'invalid-value' })
    // version, type 9 (optimize), id "o", an RTT of 2³² µs
    const bigRtt = Uint8Array.from([1, 9, 1, 0x6f, 0x80, 0x80, 0x80, 0x80, 0x10, 0])
    assert.deepEqual(decodeMessage(bigRtt), { ok: false, error: 'invalid-value' })
  })

  it('sends round trips to the microsecond, clamped to the wire range', () => {
    const sent = { type: 'optimize', old: 'o', rttMs: 0.0004, oldRttMs: 1e12 } as const
    assert.deepEqual(decodeMessage(encodeMessage(sent)), {
      ok: true,
      value: { type: 'optimize', old: 'o', rttMs: 0, oldRttMs: 0xffff_ffff / 1_000 },
    })
    assert.equal(encodedMessageBytes(sent), encodeMessage(sent).length)
  })
})
