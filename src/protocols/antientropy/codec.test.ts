import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { antiEntropyLimits } from './antientropy.ts'
import { decodeAntiEntropyMessage, encodeAntiEntropyMessage, encodedAntiEntropyBytes } from './codec.ts'
import { antiEntropyConfig, rbsrConfig } from './config.ts'
import type { ItemIndex } from './item-index.ts'
import { maxEntriesFor, Reconciler } from './rbsr.ts'
import { decodeRbsrMessage, encodeRbsrMessage, rbsrMessageBytes } from './rbsr-codec.ts'
import { setPair } from './testing/sets.ts'
import type { AntiEntropyMessage } from './types.ts'

const rbsr = rbsrConfig()
const limits = antiEntropyLimits(antiEntropyConfig(), rbsr)
const rbsrLimits = { maxEntries: maxEntriesFor(rbsr), maxChildBits: rbsr.maxChildBits }

const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 })
const message: fc.Arbitrary<AntiEntropyMessage> = fc.oneof(
  fc.record({
    type: fc.constant('digest' as const),
    session: fc.integer({ min: 0, max: 0xffff_ffff }),
    objects: fc.array(fc.record({ name: fc.string({ maxLength: 40 }), fingerprint: bytes16 }), {
      maxLength: 20,
    }),
  }),
  fc.record({
    type: fc.constant('reconcile' as const),
    session: fc.integer({ min: 0, max: 0xffff_ffff }),
    fromInitiator: fc.boolean(),
    parts: fc.array(
      fc.record({ name: fc.string({ maxLength: 40 }), payload: fc.uint8Array({ maxLength: 300 }) }),
      {
        maxLength: 10,
      },
    ),
  }),
)

describe('anti-entropy codec', () => {
  it('law: decode(encode(m)) = m, and size(m) is the encoded length', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeAntiEntropyMessage(m)
        assert.equal(encodedAntiEntropyBytes(m), bytes.length)
        assert.deepEqual(decodeAntiEntropyMessage(bytes, limits), { ok: true, value: structuredClone(m) })
      }),
      { numRuns: 1_000 },
    )
  })

  it('law: arbitrary bytes decode to a message or a reason, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = decodeAntiEntropyMessage(Uint8Array.of(1, ...bytes), limits)
        assert.equal(typeof result.ok, 'boolean')
      }),
      { numRuns: 3_000 },
    )
  })

  it('refuses digests with more objects than maxDigestObjects', () => {
    const objects = Array.from({ length: limits.maxDigestObjects + 1 }, (_, i) => ({
      name: `o${i}`,
      fingerprint: new Uint8Array(16),
    }))
    const bytes = encodeAntiEntropyMessage({ type: 'digest', session: 1, objects })
    assert.deepEqual(decodeAntiEntropyMessage(bytes, limits), { ok: false, error: 'length-too-large' })
  })
})

describe('reconciliation codec', () => {
  it('law: every message of a reconciliation re-encodes to its own bytes, and its size is computed exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (common, onlyA, onlyB, seed) => {
          const pair = setPair(seed, common, onlyA, onlyB)
          const transcript = replay(pair.a, pair.b, seed)
          for (const bytes of transcript) {
            const decoded = decodeRbsrMessage(bytes, rbsrLimits)
            assert.ok(decoded.ok)
            assert.deepEqual(encodeRbsrMessage(decoded.value), bytes)
            assert.equal(rbsrMessageBytes(decoded.value), bytes.length)
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses ids listed out of order or outside their range, and bitmaps with stray bits', () => {
    const header = [1, 0, 0, 0, 0, 4]
    const id = (first: number): number[] => [first, ...new Array(31).fill(0)]
    // entry: depth 1, gap 0 (the lower half), id-list of two ids
    const descending = Uint8Array.from([...header, 1, 1, 0, 3, 2, ...id(0x20), ...id(0x10), 0, 0])
    assert.deepEqual(decodeRbsrMessage(descending, rbsrLimits), { ok: false, error: 'invalid-value' })
    const outside = Uint8Array.from([...header, 1, 1, 0, 3, 1, ...id(0x90), 0, 0])
    assert.deepEqual(decodeRbsrMessage(outside, rbsrLimits), { ok: false, error: 'invalid-value' })
    const stray = Uint8Array.from([...header, 1, 1, 0, 4, 3, 0b1000, 0, 0])
    assert.deepEqual(decodeRbsrMessage(stray, rbsrLimits), { ok: false, error: 'invalid-value' })
    const fine = Uint8Array.from([...header, 1, 1, 0, 4, 3, 0b100, 0, 0])
    assert.equal(decodeRbsrMessage(fine, rbsrLimits).ok, true)
  })

  it('refuses a split whose children do not add up to its total', () => {
    // depth 0, gap 0, fingerprints, 1 child bit, total 3, children +0 and +0 (1 and 1 of a share of 1)
    const bad = Uint8Array.from([1, 0, 0, 0, 0, 4, 1, 0, 0, 0, 1, 3, 0, 9, 9, 9, 9, 0, 9, 9, 9, 9, 0, 0])
    assert.deepEqual(decodeRbsrMessage(bad, rbsrLimits), { ok: false, error: 'invalid-value' })
  })
})

/** Every message of a reconciliation between `a` and `b`, in order. */
function replay(a: ItemIndex, b: ItemIndex, salt: number): Uint8Array[] {
  const transcript: Uint8Array[] = []
  const initiator = new Reconciler(a, rbsr, salt)
  const responder = new Reconciler(b, rbsr)
  let message: Uint8Array | undefined = initiator.initiate()
  let receiver = responder
  while (message !== undefined) {
    transcript.push(message)
    const step = receiver.reconcile(message)
    if (!step.ok) throw new Error(step.error)
    message = step.value.reply
    receiver = receiver === responder ? initiator : responder
  }
  return transcript
}
