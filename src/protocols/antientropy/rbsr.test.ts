import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { rbsrConfig } from './config.ts'
import { ItemIndex } from './item-index.ts'
import { reconcileLocally } from './local-reconciliation.ts'
import { Reconciler } from './rbsr.ts'
import { decodeRbsrMessage } from './rbsr-codec.ts'
import { hexSet, randomId, setPair } from './testing/sets.ts'

const config = rbsrConfig()

function assertExact(
  result: ReturnType<typeof reconcileLocally>,
  onlyA: readonly Uint8Array[],
  onlyB: readonly Uint8Array[],
): void {
  assert.ok(result.completed, 'both sides finished')
  assert.deepEqual(hexSet(result.initiator.have), hexSet(onlyA), 'initiator have = A \\ B')
  assert.deepEqual(hexSet(result.initiator.need), hexSet(onlyB), 'initiator need = B \\ A')
  assert.deepEqual(hexSet(result.responder.have), hexSet(onlyB), 'responder have = B \\ A')
  assert.deepEqual(hexSet(result.responder.need), hexSet(onlyA), 'responder need = A \\ B')
}

/** Sizes up to 5,000 ids, differences from none to all, split between the sides at random. */
const shapes = fc
  .record({
    union: fc.integer({ min: 0, max: 5_000 }),
    differing: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .chain(({ union, differing }) => {
    // most runs a few differences, some runs a large share or all of them
    const differences = Math.round(union * differing ** 3)
    return fc.record({
      common: fc.constant(union - differences),
      onlyA: fc.integer({ min: 0, max: differences }).map((a) => a),
      differences: fc.constant(differences),
      seed: fc.integer({ min: 1, max: 2 ** 31 }),
      salt: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    })
  })

describe('range-based set reconciliation', () => {
  it('law: have and need on both sides are exactly the two set differences (0 … 5,000 ids)', () => {
    fc.assert(
      fc.property(shapes, ({ common, onlyA, differences, seed, salt }) => {
        const pair = setPair(seed, common, onlyA, differences - onlyA)
        assertExact(reconcileLocally(pair.a, pair.b, config, salt), pair.onlyA, pair.onlyB)
      }),
      { numRuns: 150 },
    )
  })

  it('settles identical sets in one round trip of fingerprints', () => {
    for (const size of [0, 1, 100, 5_000]) {
      const pair = setPair(size + 1, size, 0, 0)
      const result = reconcileLocally(pair.a, pair.b, config, 7)
      assert.equal(result.messageBytes.length, 2, `${size} ids: one message each way`)
      assertExact(result, [], [])
      const second = result.messageBytes[1] as number
      assert.ok(second <= 16, `the answer to matching fingerprints is empty (${second} bytes)`)
    }
  })

  it('reconciles disjoint sets and one empty side', () => {
    for (const [a, b] of [
      [3_000, 2_000],
      [0, 4_000],
      [4_000, 0],
    ] as const) {
      const pair = setPair(a * 7 + b, 0, a, b)
      assertExact(reconcileLocally(pair.a, pair.b, config, 1, 1_000), pair.onlyA, pair.onlyB)
    }
  })

  it('finds one difference among 100,000 ids in two round trips', () => {
    const pair = setPair(11, 99_999, 1, 0)
    const result = reconcileLocally(pair.a, pair.b, config, 3)
    assertExact(result, pair.onlyA, pair.onlyB)
    assert.ok(result.roundTrips <= 2, `round trips: ${result.roundTrips}`)
  })

  it('never sends a message above the byte budget, and still reconciles exactly within it', () => {
    const small = rbsrConfig({ maxMessageBytes: 4_096, maxChildBits: 4 })
    fc.assert(
      fc.property(shapes, ({ common, onlyA, differences, seed, salt }) => {
        const pair = setPair(seed, common, onlyA, differences - onlyA)
        const result = reconcileLocally(pair.a, pair.b, small, salt, 2_000)
        for (const bytes of result.messageBytes) assert.ok(bytes <= small.maxMessageBytes, `${bytes} bytes`)
        assertExact(result, pair.onlyA, pair.onlyB)
      }),
      { numRuns: 40 },
    )
  })

  it('with Negentropy-like settings (16-way splits, 16-byte fingerprints, no cells) reconciles exactly', () => {
    const negentropyLike = rbsrConfig({
      fingerprintBytes: 16,
      cells: false,
      minChildBits: 4,
      maxChildBits: 4,
      idListThreshold: 31,
    })
    fc.assert(
      fc.property(shapes, ({ common, onlyA, differences, seed, salt }) => {
        const pair = setPair(seed, common, onlyA, differences - onlyA)
        assertExact(reconcileLocally(pair.a, pair.b, negentropyLike, salt, 1_000), pair.onlyA, pair.onlyB)
      }),
      { numRuns: 40 },
    )
  })

  it('treats unsorted and duplicated input ids as the set they stand for', () => {
    const random = new Random(5)
    const ids = Array.from({ length: 200 }, () => randomId(random))
    const shuffled = random.shuffle([...ids, ...ids.slice(0, 20)])
    const result = reconcileLocally(new ItemIndex(shuffled), new ItemIndex(ids.slice(10)), config, 9)
    assertExact(result, ids.slice(0, 10), [])
  })
})

describe('range-based set reconciliation under hostile input', () => {
  /** Real messages of a reconciliation with differences, to mutate. */
  function transcript(): Uint8Array[] {
    const pair = setPair(21, 2_000, 40, 25)
    const initiator = new Reconciler(pair.a, config, 5)
    const responder = new Reconciler(pair.b, config)
    const messages: Uint8Array[] = []
    let message: Uint8Array | undefined = initiator.initiate()
    let receiver = responder
    while (message !== undefined) {
      messages.push(message)
      const step = receiver.reconcile(message)
      assert.ok(step.ok)
      message = step.value.reply
      receiver = receiver === responder ? initiator : responder
    }
    return messages
  }
  const messages = transcript()
  const { a } = setPair(22, 2_000, 10, 0)

  const mutated = fc.record({
    which: fc.integer({ min: 0, max: messages.length - 1 }),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
        kind: fc.constantFrom('set', 'cut', 'insert'),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })

  it('law: a mutated message never throws, and any answer stays within the budget', () => {
    fc.assert(
      fc.property(mutated, ({ which, edits }) => {
        let bytes = Array.from(messages[which] as Uint8Array)
        for (const edit of edits) {
          const at = edit.at % (bytes.length + 1)
          if (edit.kind === 'set' && at < bytes.length) bytes[at] = edit.byte
          else if (edit.kind === 'cut') bytes = bytes.slice(0, at)
          else bytes.splice(at, 0, edit.byte)
        }
        const step = new Reconciler(a, config).reconcile(Uint8Array.from(bytes))
        if (step.ok && step.value.reply !== undefined) {
          assert.ok(step.value.reply.length <= config.maxMessageBytes)
        }
      }),
      { numRuns: 2_000 },
    )
  })

  it('law: random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        new Reconciler(a, config).reconcile(bytes)
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses a message with another salt than the session began with', () => {
    const reconciler = new Reconciler(a, config)
    assert.ok(reconciler.reconcile(messages[0] as Uint8Array).ok)
    const other = new Reconciler(setPair(23, 10, 0, 0).a, config, 6).initiate()
    const step = reconciler.reconcile(other)
    assert.deepEqual(step, { ok: false, error: 'salt-mismatch' })
  })

  it('decodes with caps: a split wider than 2^10 children or more entries than the budget allows is refused', () => {
    const limits = { maxEntries: 3, maxChildBits: 10 }
    const header = [1, 0, 0, 0, 0, 4]
    // one entry at depth 0, mode fingerprints, 11 child bits
    const wide = Uint8Array.from([...header, 1, 0, 0, 0, 11, 0, 0, 0])
    assert.equal(decodeRbsrMessage(wide, limits).ok, false)
    const many = Uint8Array.from([...header, 4])
    assert.deepEqual(decodeRbsrMessage(many, limits), { ok: false, error: 'length-too-large' })
  })

  it('does not take ids it holds into need, whatever the other side gives', () => {
    const reconciler = new Reconciler(a, config)
    const first = messages[0] as Uint8Array
    assert.ok(reconciler.reconcile(first).ok)
    const held = a.ids[0] as Uint8Array
    // a results-only message giving an id this side holds
    const give = Uint8Array.from([...first.subarray(0, 6), 0, 1, ...held, 0])
    const step = reconciler.reconcile(give)
    assert.ok(step.ok)
    assert.equal(reconciler.need.length, 0)
    assert.equal(reconciler.counters.refused, 1)
  })
})
