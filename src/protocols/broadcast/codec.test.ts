import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { decodeBroadcastMessage, encodeBroadcastMessage, encodedBroadcastBytes, MAX_ROUND } from './codec.ts'
import { broadcastConfig } from './config.ts'
import type { BroadcastMessage } from './types.ts'

const ids = fc.record({
  origin: fc.string({ minLength: 1, maxLength: 60 }),
  epoch: fc.nat(),
  seq: fc.nat(),
})
const rounds = fc.integer({ min: 0, max: MAX_ROUND })
const messages: fc.Arbitrary<BroadcastMessage> = fc.oneof(
  fc.record({
    type: fc.constant('gossip' as const),
    origin: fc.string({ minLength: 1, maxLength: 60 }),
    epoch: fc.nat(),
    seq: fc.nat(),
    round: rounds,
    channel: fc.string({ maxLength: 40 }),
    payload: fc.uint8Array({ maxLength: 200 }),
  }),
  fc.record({
    type: fc.constant('ihave' as const),
    announcements: fc.array(
      fc.record({
        origin: fc.string({ minLength: 1, maxLength: 60 }),
        epoch: fc.nat(),
        seq: fc.nat(),
        round: rounds,
      }),
      { maxLength: 20 },
    ),
  }),
  fc.record({ type: fc.constant('graft' as const), id: fc.option(ids, { nil: undefined }), round: rounds }),
  fc.constant({ type: 'prune' as const }),
)

/** Prototype-free for comparison (fast-check's records have a null prototype), bytes as arrays. */
function plain(message: BroadcastMessage): unknown {
  return JSON.parse(
    JSON.stringify(message, (_key, value) => (value instanceof Uint8Array ? [...value] : value)),
  )
}

describe('broadcast codec', () => {
  it('round-trips every message and sizes it exactly', () => {
    fc.assert(
      fc.property(messages, (message) => {
        const bytes = encodeBroadcastMessage(message)
        const decoded = decodeBroadcastMessage(bytes)
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error)
        assert.deepEqual(plain(decoded.value), plain(message))
        assert.equal(encodedBroadcastBytes(message), bytes.length)
      }),
      { numRuns: 5_000 },
    )
  })

  it('refuses frames over its bounds and never throws on arbitrary bytes', () => {
    const limits = broadcastConfig({ maxPayloadBytes: 4, maxAnnouncementsPerBatch: 2 })
    const big = encodeBroadcastMessage({
      type: 'gossip',
      origin: 'o',
      epoch: 1,
      seq: 1,
      round: 0,
      channel: 'c',
      payload: new Uint8Array(5),
    })
    assert.deepEqual(decodeBroadcastMessage(big, limits), { ok: false, error: 'length-too-large' })
    const many = encodeBroadcastMessage({
      type: 'ihave',
      announcements: [1, 2, 3].map((seq) => ({ origin: 'o', epoch: 1, seq, round: 0 })),
    })
    assert.deepEqual(decodeBroadcastMessage(many, limits), { ok: false, error: 'length-too-large' })
    const far = encodeBroadcastMessage({ type: 'graft', id: undefined, round: MAX_ROUND })
    far[far.length - 1] = 0xff // the round's last byte: a varint that now continues past the frame
    assert.equal(decodeBroadcastMessage(far).ok, false)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const decoded = decodeBroadcastMessage(Uint8Array.of(1, ...bytes))
        // whatever is accepted re-encodes to a frame that decodes to the same message
        return !decoded.ok || decodeBroadcastMessage(encodeBroadcastMessage(decoded.value)).ok
      }),
      { numRuns: 20_000 },
    )
  })
})
