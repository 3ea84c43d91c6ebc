import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Decoder, Encoder } from '../../kernel/index.ts'
import { DEFAULT_CRDT_LIMITS } from './crdt.ts'
import {
  checkAssociativity,
  checkChangeReport,
  checkCommutativity,
  checkDecomposition,
  checkDeltaLaw,
  checkIdempotence,
} from './testing/laws.ts'
import { decodeTopNMapBody, type TopNEntry, TopNMap } from './top-n-map.ts'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

interface Offer {
  readonly id: string
  readonly rank: number
  readonly value: Uint8Array
}

/** Few ids, few ranks and two values, so that ties of rank and of register are common. */
const offers: fc.Arbitrary<Offer> = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  rank: fc.integer({ min: -2, max: 6 }),
  value: fc.constantFrom(bytes(), bytes(1), bytes(2)),
})

type Step = { kind: 'offer'; replica: number; offer: Offer } | { kind: 'merge'; from: number; to: number }

const steps: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('offer' as const), replica: fc.nat(2), offer: offers }),
  fc.record({ kind: fc.constant('merge' as const), from: fc.nat(2), to: fc.nat(2) }),
)

/** A state reachable by three replicas offering and merging, read at one of them. */
function states(capacity: number): fc.Arbitrary<TopNMap> {
  return fc.tuple(fc.array(steps, { maxLength: 14 }), fc.nat(2)).map(([plan, pick]) => {
    const replicas = [0, 1, 2].map(() => new TopNMap(capacity))
    for (const step of plan) {
      if (step.kind === 'offer')
        replicas[step.replica]?.offer(step.offer.id, step.offer.rank, step.offer.value)
      else replicas[step.to]?.merge(replicas[step.from] as TopNMap)
    }
    return replicas[pick] as TopNMap
  })
}

/** What every replica must end with: the top N of each id's greatest register over every offer made. */
function oracle(capacity: number, made: readonly Offer[]): TopNEntry[] {
  const best = new Map<string, Offer>()
  for (const offer of made) {
    const held = best.get(offer.id)
    const greater =
      held === undefined ||
      offer.rank > held.rank ||
      (offer.rank === held.rank && Buffer.compare(offer.value, held.value) > 0)
    if (greater) best.set(offer.id, offer)
  }
  return [...best.values()]
    .sort((a, b) => (a.rank !== b.rank ? b.rank - a.rank : a.id < b.id ? -1 : 1))
    .slice(0, capacity)
    .map(({ id, rank, value }) => ({ id, rank, value }))
}

function plain(map: TopNMap): TopNEntry[] {
  return map.entries().map(({ id, rank, value }) => ({ id, rank, value }))
}

function roundTrip(map: TopNMap): { map: TopNMap; same: boolean } {
  const encoder = new Encoder()
  map.encodeBody(encoder)
  const written = encoder.finish()
  const decoder = new Decoder(written)
  const decoded = decodeTopNMapBody(decoder, DEFAULT_CRDT_LIMITS)
  assert.ok(decoder.done(), `decoding failed: ${decoder.error}`)
  const again = new Encoder()
  decoded.encodeBody(again)
  return { map: decoded, same: Buffer.from(again.finish()).equals(Buffer.from(written)) }
}

describe('TopNMap', () => {
  it('keeps the N greatest by rank, ties by id', () => {
    const map = new TopNMap(2)
    map.offer('x', 1, bytes())
    map.offer('y', 3, bytes())
    map.offer('a', 1, bytes())
    assert.deepEqual(
      map.entries().map((e) => e.id),
      ['y', 'a'],
    )
    assert.equal(map.get('x'), undefined)
  })

  it("raises an id's rank and never lowers it", () => {
    const map = new TopNMap(3)
    map.offer('x', 1, bytes(1))
    assert.ok(map.offer('x', 5, bytes(2)) !== undefined)
    assert.equal(map.offer('x', 2, bytes(3)), undefined)
    assert.deepEqual(map.get('x'), { id: 'x', rank: 5, value: bytes(2) })
    assert.equal(map.size, 1)
  })

  it('breaks a tie of rank on one id by the greater value, so that order does not matter', () => {
    const one = new TopNMap(2)
    const two = new TopNMap(2)
    const low = one.offer('x', 4, bytes(1)) as TopNMap
    const high = two.offer('x', 4, bytes(2)) as TopNMap
    one.merge(high)
    two.merge(low)
    assert.deepEqual(plain(one), plain(two))
    assert.deepEqual(one.get('x')?.value, bytes(2))
  })

  it('sends nothing for an offer that could never be in the top N', () => {
    const map = new TopNMap(2)
    map.offer('a', 5, bytes())
    map.offer('b', 4, bytes())
    assert.equal(map.offer('c', 3, bytes()), undefined)
    assert.equal(map.size, 2)
  })

  it('refuses a rank that is not finite, a capacity below one and a merge across capacities', () => {
    assert.throws(() => new TopNMap(2).offer('a', Number.NaN, bytes()), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new TopNMap(2).offer('a', Number.POSITIVE_INFINITY, bytes()), {
      code: 'INVALID_ARGUMENT',
    })
    assert.throws(() => new TopNMap(0), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new TopNMap(2).merge(new TopNMap(3)), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new TopNMap(DEFAULT_CRDT_LIMITS.maxCapacity + 1), { code: 'INVALID_ARGUMENT' })
  })

  it('refuses locally what a peer could not decode: long ids and values, lone surrogates', () => {
    const map = new TopNMap(2)
    assert.throws(() => map.offer('x'.repeat(DEFAULT_CRDT_LIMITS.maxKeyBytes + 1), 1, bytes()), {
      code: 'INVALID_ARGUMENT',
    })
    assert.throws(() => map.offer('\ud800', 1, bytes()), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => map.offer('a', 1, new Uint8Array(DEFAULT_CRDT_LIMITS.maxValueBytes + 1)), {
      code: 'INVALID_ARGUMENT',
    })
    assert.equal(map.size, 0)
  })

  it('stores -0 as 0, so that one state has one encoding', () => {
    const a = new TopNMap(1)
    const b = new TopNMap(1)
    a.offer('x', -0, bytes())
    b.offer('x', 0, bytes())
    assert.ok(roundTrip(a).same)
    assert.ok(Object.is(a.get('x')?.rank, 0))
    assert.equal(a.merge(b), false)
  })

  describe('laws (capacity 3)', () => {
    const arbitrary = states(3)
    it('merge is commutative', () => checkCommutativity(arbitrary))
    it('merge is associative', () => checkAssociativity(arbitrary))
    it('merge is idempotent', () => checkIdempotence(arbitrary))
    it('the join decomposition reconciles: fragments a peer lacks bring it to the join', () =>
      checkDecomposition(arbitrary, { runs: 2_000 }))
    it('merge reports a change exactly when the state changed', () => checkChangeReport(arbitrary))
    it('offer obeys the delta law m(X) = X ⊔ mδ(X)', () =>
      checkDeltaLaw(arbitrary, offers, (state, offer) => state.offer(offer.id, offer.rank, offer.value)))
  })

  it('obeys the laws at capacities 1 and 6 too', () => {
    for (const capacity of [1, 6]) {
      const arbitrary = states(capacity)
      checkCommutativity(arbitrary, { runs: 2_000 })
      checkAssociativity(arbitrary, { runs: 2_000 })
      checkIdempotence(arbitrary, { runs: 2_000 })
    }
  })

  it('converges to the oracle under lost, duplicated and reordered deltas, then anti-entropy', () => {
    const deliveries = fc.record({
      lost: fc.boolean(),
      copies: fc.integer({ min: 1, max: 2 }),
      to: fc.nat(3),
    })
    const plan = fc.array(fc.tuple(fc.nat(3), offers, deliveries), { maxLength: 40 })
    fc.assert(
      fc.property(
        plan,
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        (ops, capacity, order) => {
          const replicas = [0, 1, 2, 3].map(() => new TopNMap(capacity))
          const made: Offer[] = []
          const inFlight: { to: number; delta: TopNMap }[] = []
          for (const [replica, offer, delivery] of ops) {
            made.push(offer)
            const delta = replicas[replica]?.offer(offer.id, offer.rank, offer.value)
            if (delta === undefined || delivery.lost) continue
            for (let copy = 0; copy < delivery.copies; copy++) inFlight.push({ to: delivery.to, delta })
            // deliver a random one of the pending deltas now and then: reordering
            if (inFlight.length > 2) {
              const [next] = inFlight.splice((order.next().value as number) % inFlight.length, 1)
              if (next !== undefined) replicas[next.to]?.merge(next.delta)
            }
          }
          for (const { to, delta } of inFlight) replicas[to]?.merge(delta)
          // anti-entropy: a ring of full-state exchanges, twice round, reaches everyone
          for (let round = 0; round < 2; round++) {
            for (let i = 0; i < replicas.length; i++) {
              replicas[(i + 1) % replicas.length]?.merge(replicas[i] as TopNMap)
            }
          }
          const expected = oracle(capacity, made)
          return replicas.every((replica) => JSON.stringify(plain(replica)) === JSON.stringify(expected))
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('round-trips its canonical encoding byte for byte', () => {
    fc.assert(
      fc.property(states(3), (map) => {
        const { map: decoded, same } = roundTrip(map)
        return same && JSON.stringify(plain(decoded)) === JSON.stringify(plain(map))
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses bodies that are not the one encoding of a state, without throwing', () => {
    const body = (write: (encoder: Encoder) => void): Decoder => {
      const encoder = new Encoder()
      write(encoder)
      const decoder = new Decoder(encoder.finish())
      decodeTopNMapBody(decoder, DEFAULT_CRDT_LIMITS)
      decoder.done()
      return decoder
    }
    const entry = (encoder: Encoder, id: string, rank: number): Encoder => {
      encoder.string(id)
      encoder.f64(rank)
      encoder.bytes(bytes())
      return encoder
    }
    const header = (encoder: Encoder, capacity: number, count: number): Encoder => {
      encoder.varUint(capacity)
      encoder.varUint(count)
      return encoder
    }
    const cases: [string, (encoder: Encoder) => void, string][] = [
      ['capacity 0', (e) => header(e, 0, 0), 'invalid-value'],
      ['capacity above the limit', (e) => header(e, DEFAULT_CRDT_LIMITS.maxCapacity + 1, 0), 'invalid-value'],
      [
        'more entries than the capacity',
        (e) => entry(entry(header(e, 1, 2), 'a', 2), 'b', 1),
        'length-too-large',
      ],
      ['out of rank order', (e) => entry(entry(header(e, 3, 2), 'a', 1), 'b', 2), 'invalid-value'],
      ['a repeated id', (e) => entry(entry(header(e, 3, 2), 'a', 2), 'a', 1), 'invalid-value'],
      ['a rank that is NaN', (e) => entry(header(e, 3, 1), 'a', Number.NaN), 'invalid-value'],
      ['a rank of -0', (e) => entry(header(e, 3, 1), 'a', -0), 'invalid-value'],
      ['a count beyond the input', (e) => entry(header(e, 3, 3), 'a', 1), 'truncated'],
    ]
    for (const [name, write, reason] of cases) assert.equal(body(write).error, reason, name)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        const decoder = new Decoder(input)
        decodeTopNMapBody(decoder, DEFAULT_CRDT_LIMITS)
        decoder.done()
        return true
      }),
      { numRuns: 5_000 },
    )
  })
})
