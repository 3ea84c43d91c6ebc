import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  CONNECTION_CLASSES,
  DECODE_ERROR_REASONS,
  type DecodeErrorReason,
  Encoder,
  MAX_NODE_ID_BYTES,
} from '../../kernel/index.ts'
import {
  decodeMessage,
  encodedMessageBytes,
  encodedUpdateBytes,
  encodeMessage,
  MEMBERSHIP_WIRE_VERSION,
  WIRE_LIMITS,
  writeUpdate,
} from './codec.ts'
import {
  DEFAULT_PROFILE,
  type MemberProfile,
  type MemberRecord,
  type MemberState,
  type MembershipMessage,
  type MemberUpdate,
  type MessageType,
} from './types.ts'

const REASONS: readonly DecodeErrorReason[] = DECODE_ERROR_REASONS

// ---- arbitraries: every value the wire format can carry, within WIRE_LIMITS ------------------------------

// plain prototypes, so generated values compare deep-equal to decoded object literals
const plain = { noNullPrototype: true } as const
/** Any Unicode text of at most `maxBytes` UTF-8 bytes (a code point takes at most four). */
const text = (maxBytes: number, minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength, maxLength: Math.floor(maxBytes / 4) })
const idArbitrary = fc.oneof(text(MAX_NODE_ID_BYTES, 1), fc.constantFrom('a', 'n0', '12D3KooWExample'))
const incarnationArbitrary = fc.oneof(fc.nat(10), fc.maxSafeNat())
const seqArbitrary = fc.oneof(fc.nat(1_000), fc.maxSafeNat())

const profileArbitrary: fc.Arbitrary<MemberProfile> = fc.record(
  {
    labels: fc.array(text(WIRE_LIMITS.maxLabelBytes), { maxLength: WIRE_LIMITS.maxLabels }),
    capacity: fc.integer({ min: 0, max: WIRE_LIMITS.maxCapacity }),
    memoryMb: fc.integer({ min: 0, max: WIRE_LIMITS.maxMemoryMb }),
    connectionClass: fc.constantFrom(...CONNECTION_CLASSES),
    region: text(WIRE_LIMITS.maxRegionBytes),
    hidden: fc.boolean(),
  },
  plain,
)

const recordArbitrary = (state: fc.Arbitrary<MemberState>): fc.Arbitrary<MemberRecord> =>
  fc.record(
    {
      id: idArbitrary,
      incarnation: incarnationArbitrary,
      state,
      addresses: fc.array(text(WIRE_LIMITS.maxAddressBytes), { maxLength: WIRE_LIMITS.maxAddresses }),
      profile: fc.oneof(fc.constant(DEFAULT_PROFILE), profileArbitrary),
      signature: fc.uint8Array({ maxLength: WIRE_LIMITS.maxSignatureBytes }),
    },
    plain,
  )

const updateArbitraries: Record<MemberUpdate['kind'], fc.Arbitrary<MemberUpdate>> = {
  alive: fc.record(
    { kind: fc.constant('alive' as const), record: recordArbitrary(fc.constant('alive')) },
    plain,
  ),
  suspect: fc.record(
    {
      kind: fc.constant('suspect' as const),
      id: idArbitrary,
      incarnation: incarnationArbitrary,
      from: idArbitrary,
    },
    plain,
  ),
  failed: fc.record(
    {
      kind: fc.constant('failed' as const),
      id: idArbitrary,
      incarnation: incarnationArbitrary,
      from: idArbitrary,
    },
    plain,
  ),
  left: fc.record(
    { kind: fc.constant('left' as const), id: idArbitrary, incarnation: incarnationArbitrary },
    plain,
  ),
}
const updateArbitrary = fc.oneof(...Object.values(updateArbitraries))
const updatesArbitrary = fc.array(updateArbitrary, { maxLength: 8 })

const messageArbitraries: Record<MessageType, fc.Arbitrary<MembershipMessage>> = {
  ping: fc.record(
    { type: fc.constant('ping' as const), seq: seqArbitrary, updates: updatesArbitrary },
    plain,
  ),
  ack: fc.record({ type: fc.constant('ack' as const), seq: seqArbitrary, updates: updatesArbitrary }, plain),
  'ping-req': fc.record(
    {
      type: fc.constant('ping-req' as const),
      seq: seqArbitrary,
      target: idArbitrary,
      updates: updatesArbitrary,
    },
    plain,
  ),
  nack: fc.record({ type: fc.constant('nack' as const), seq: seqArbitrary }, plain),
  gossip: fc.record({ type: fc.constant('gossip' as const), updates: updatesArbitrary }, plain),
  'push-pull': fc.record(
    {
      type: fc.constant('push-pull' as const),
      join: fc.boolean(),
      reply: fc.boolean(),
      records: fc.array(recordArbitrary(fc.constantFrom<MemberState>('alive', 'suspect', 'failed', 'left')), {
        maxLength: 8,
      }),
    },
    plain,
  ),
  'state-digest': fc.record(
    {
      type: fc.constant('state-digest' as const),
      digest: fc.nat({ max: 0xffff_ffff }),
      members: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    },
    plain,
  ),
}
const messageArbitrary = fc.oneof(...Object.values(messageArbitraries))

function assertRejected(bytes: Uint8Array, maxFrameBytes?: number): DecodeErrorReason {
  const result = decodeMessage(bytes, maxFrameBytes)
  assert.equal(result.ok, false)
  if (result.ok) throw new Error('unreachable')
  assert.ok(REASONS.includes(result.error), `unknown reason ${result.error}`)
  return result.error
}

/** A frame with a valid header of `type` and then `payload` written by hand. */
function frame(type: number, payload: (encoder: Encoder) => void): Uint8Array {
  const encoder = new Encoder()
  encoder.u8(MEMBERSHIP_WIRE_VERSION)
  encoder.varUint(type)
  payload(encoder)
  return encoder.finish()
}

describe('membership codec', () => {
  describe('round trips', () => {
    for (const [type, arbitrary] of Object.entries(messageArbitraries)) {
      it(`law: ${type} messages decode to exactly the messages encoded`, () => {
        fc.assert(
          fc.property(arbitrary, (message) => {
            const decoded = decodeMessage(encodeMessage(message))
            assert.ok(decoded.ok, `rejected: ${decoded.ok ? '' : decoded.error}`)
            assert.deepEqual(decoded.value, message)
          }),
          { numRuns: 150 },
        )
      })
    }

    for (const [kind, arbitrary] of Object.entries(updateArbitraries)) {
      it(`law: ${kind} updates survive the trip inside gossip, ping, ack and ping-req messages`, () => {
        fc.assert(
          fc.property(fc.array(arbitrary, { minLength: 1, maxLength: 4 }), seqArbitrary, (updates, seq) => {
            const messages: MembershipMessage[] = [
              { type: 'gossip', updates },
              { type: 'ping', seq, updates },
              { type: 'ack', seq, updates },
              { type: 'ping-req', seq, target: 'target', updates },
            ]
            for (const message of messages) {
              const decoded = decodeMessage(encodeMessage(message))
              assert.ok(decoded.ok)
              assert.deepEqual(decoded.value, message)
            }
          }),
          { numRuns: 100 },
        )
      })
    }

    it('law: encodedMessageBytes(m) equals encodeMessage(m).length', () => {
      fc.assert(
        fc.property(messageArbitrary, (message) => {
          assert.equal(encodedMessageBytes(message), encodeMessage(message).length)
        }),
        { numRuns: 300 },
      )
    })

    it('law: a gossip message costs its header plus the encodedUpdateBytes of each update, as budgets assume', () => {
      fc.assert(
        fc.property(fc.array(updateArbitrary, { maxLength: 20 }), (updates) => {
          const empty = encodedMessageBytes({ type: 'gossip', updates: [] })
          const sum = updates.reduce((total, update) => total + encodedUpdateBytes(update), 0)
          // one count byte in both while there are fewer than 128 updates
          assert.equal(encodedMessageBytes({ type: 'gossip', updates }), empty + sum)
          const encoder = new Encoder()
          for (const update of updates) writeUpdate(encoder, update)
          assert.equal(encoder.length, sum)
        }),
      )
    })

    it('sizing a message between encodings does not disturb a later encoding', () => {
      const big: MembershipMessage = {
        type: 'push-pull',
        join: true,
        reply: false,
        records: Array.from({ length: 300 }, (_, i) => ({
          id: `node-${i}`,
          incarnation: i,
          state: 'alive' as const,
          addresses: [`/ip4/10.0.0.${i % 256}/tcp/4001`],
          profile: DEFAULT_PROFILE,
          signature: new Uint8Array(64).fill(i % 256),
        })),
      }
      const before = encodeMessage(big)
      assert.equal(encodedMessageBytes(big), before.length)
      encodedUpdateBytes({ kind: 'left', id: 'x', incarnation: 1 })
      assert.deepEqual(encodeMessage(big), before)
    })
  })

  describe('hostile input', () => {
    it('law: every strict prefix of a valid frame is rejected with a reason, never thrown', () => {
      fc.assert(
        fc.property(messageArbitrary, fc.nat(), (message, cut) => {
          const bytes = encodeMessage(message)
          const reason = assertRejected(bytes.subarray(0, cut % bytes.length))
          assert.equal(reason, 'truncated')
        }),
        { numRuns: 300 },
      )
    })

    it('law: a valid frame with bytes overwritten either decodes to a message that re-encodes losslessly, or is rejected with a reason', () => {
      fc.assert(
        fc.property(
          messageArbitrary,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          (message, mutations) => {
            const bytes = encodeMessage(message)
            for (const [at, value] of mutations) bytes[at % bytes.length] = value
            const result = decodeMessage(bytes)
            if (!result.ok) {
              assert.ok(REASONS.includes(result.error))
              return
            }
            const again = decodeMessage(encodeMessage(result.value))
            assert.ok(again.ok)
            assert.deepEqual(again.value, result.value)
          },
        ),
        { numRuns: 500 },
      )
    })

    it('law: random bytes never make the decoder throw; what it rejects carries a reason', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const result = decodeMessage(bytes)
          if (!result.ok) assert.ok(REASONS.includes(result.error))
        }),
        { numRuns: 1_000 },
      )
    })

    it('law: random payloads behind a valid header never make the decoder throw', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 200 }), (type, payload) => {
          const result = decodeMessage(frame(type, (encoder) => encoder.raw(payload)))
          if (!result.ok) assert.ok(REASONS.includes(result.error))
        }),
        { numRuns: 1_000 },
      )
    })

    it('rejects a frame larger than maxFrameBytes before reading it', () => {
      const bytes = encodeMessage({ type: 'gossip', updates: [{ kind: 'left', id: 'a', incarnation: 1 }] })
      assert.equal(assertRejected(bytes, bytes.length - 1), 'frame-too-large')
      assert.ok(decodeMessage(bytes, bytes.length).ok)
      assert.equal(assertRejected(new Uint8Array(1_048_577)), 'frame-too-large')
    })

    it('rejects another version and an unknown message type', () => {
      const bytes = encodeMessage({ type: 'nack', seq: 1 })
      bytes[0] = MEMBERSHIP_WIRE_VERSION + 1
      assert.equal(assertRejected(bytes), 'bad-version')
      assert.equal(assertRejected(frame(7, (encoder) => encoder.varUint(1))), 'unknown-type')
    })

    it('rejects a view digest wider than 32 bits', () => {
      const digest = (value: number) =>
        frame(6, (encoder) => {
          encoder.varUint(value)
          encoder.varUint(3)
        })
      assert.equal(assertRejected(digest(2 ** 32)), 'invalid-value')
      assert.deepEqual(decodeMessage(digest(2 ** 32 - 1)), {
        ok: true,
        value: { type: 'state-digest', digest: 2 ** 32 - 1, members: 3 },
      })
    })

    it('rejects trailing bytes after a complete message', () => {
      const bytes = encodeMessage({ type: 'nack', seq: 7 })
      const longer = new Uint8Array(bytes.length + 1)
      longer.set(bytes)
      assert.equal(assertRejected(longer), 'trailing-bytes')
    })

    it('rejects an alive update whose record is not alive', () => {
      const record: MemberRecord = {
        id: 'a',
        incarnation: 0,
        state: 'failed',
        addresses: [],
        profile: DEFAULT_PROFILE,
        signature: new Uint8Array(64),
      }
      const bytes = encodeMessage({ type: 'gossip', updates: [{ kind: 'alive', record }] })
      assert.equal(assertRejected(bytes), 'invalid-value')
    })

    it('rejects an empty node id', () => {
      assert.equal(
        assertRejected(encodeMessage({ type: 'ping-req', seq: 1, target: '', updates: [] })),
        'invalid-value',
      )
      assert.equal(
        assertRejected(
          encodeMessage({ type: 'gossip', updates: [{ kind: 'left', id: '', incarnation: 0 }] }),
        ),
        'invalid-value',
      )
    })

    it('rejects an unknown update kind, member state or connection class', () => {
      assert.equal(
        assertRejected(
          frame(4, (encoder) => {
            encoder.varUint(1)
            encoder.u8(4) // no fifth update kind
          }),
        ),
        'invalid-value',
      )
      const record: MemberRecord = {
        id: 'a',
        incarnation: 0,
        state: 'alive',
        addresses: [],
        profile: DEFAULT_PROFILE,
        signature: new Uint8Array(64),
      }
      const pushPull = encodeMessage({ type: 'push-pull', join: false, reply: false, records: [record] })
      // [version][type][join][reply][count][id len]['a'][incarnation][state] …
      const badState = Uint8Array.from(pushPull)
      badState[8] = 4
      assert.equal(assertRejected(badState), 'invalid-value')
      const badClass = Uint8Array.from(pushPull)
      // … [addresses 0][labels 0][capacity][memory][class][region len][hidden][signature len 64][64 bytes]
      badClass[pushPull.length - 3 - 65] = 9
      assert.equal(assertRejected(badClass), 'invalid-value')
    })

    it('rejects counts and lengths above the wire limits before allocating for them', () => {
      const tooManyUpdates = frame(4, (encoder) => encoder.varUint(WIRE_LIMITS.maxUpdatesPerMessage + 1))
      assert.equal(assertRejected(tooManyUpdates), 'length-too-large')
      const tooManyRecords = frame(5, (encoder) => {
        encoder.bool(false)
        encoder.bool(false)
        encoder.varUint(WIRE_LIMITS.maxRecordsPerMessage + 1)
      })
      assert.equal(assertRejected(tooManyRecords), 'length-too-large')
      const longId = encodeMessage({
        type: 'ping-req',
        seq: 1,
        target: 'x'.repeat(MAX_NODE_ID_BYTES + 1),
        updates: [],
      })
      assert.equal(assertRejected(longId), 'length-too-large')
      const claimsMore = frame(4, (encoder) => encoder.varUint(5)) // five updates promised, none sent
      assert.equal(assertRejected(claimsMore), 'truncated')
    })

    it('rejects a profile whose capacity or memory is out of range', () => {
      const profile = { ...DEFAULT_PROFILE, capacity: WIRE_LIMITS.maxCapacity + 1 }
      const record: MemberRecord = {
        id: 'a',
        incarnation: 0,
        state: 'alive',
        addresses: [],
        profile,
        signature: new Uint8Array(64),
      }
      assert.equal(
        assertRejected(encodeMessage({ type: 'gossip', updates: [{ kind: 'alive', record }] })),
        'invalid-value',
      )
      const memory = { ...record, profile: { ...DEFAULT_PROFILE, memoryMb: WIRE_LIMITS.maxMemoryMb + 1 } }
      assert.equal(
        assertRejected(encodeMessage({ type: 'gossip', updates: [{ kind: 'alive', record: memory }] })),
        'invalid-value',
      )
    })

    it('accepts strings exactly at their byte limits and rejects one byte more', () => {
      const at = { ...DEFAULT_PROFILE, labels: ['l'.repeat(WIRE_LIMITS.maxLabelBytes)] }
      const over = { ...DEFAULT_PROFILE, labels: ['l'.repeat(WIRE_LIMITS.maxLabelBytes + 1)] }
      const message = (profile: MemberProfile): MembershipMessage => ({
        type: 'gossip',
        updates: [
          {
            kind: 'alive',
            record: {
              id: 'a',
              incarnation: 0,
              state: 'alive',
              addresses: [],
              profile,
              signature: new Uint8Array(64),
            },
          },
        ],
      })
      assert.ok(decodeMessage(encodeMessage(message(at))).ok)
      assert.equal(assertRejected(encodeMessage(message(over))), 'length-too-large')
    })
  })
})
