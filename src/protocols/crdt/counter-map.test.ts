import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Encoder, isMeshError } from '../../kernel/index.ts'
import { decodeCrdt, encodeCrdt } from './codec.ts'
import { GCounterMap, PnCounterMap } from './counter-map.ts'
import { type CrdtLimits, DEFAULT_CRDT_LIMITS } from './crdt.ts'
import {
  checkAssociativity,
  checkChangeReport,
  checkCommutativity,
  checkDecomposition,
  checkDeltaLaw,
  checkIdempotence,
} from './testing/laws.ts'
import { antiEntropy, networkPlans, runLossyDeltas } from './testing/lossy-deltas.ts'

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex')

const ACTORS = ['r0', 'r1', 'r2']
const keys = fc.constantFrom('a', 'b', 'c', 'd')

interface Inc {
  readonly actor: string
  readonly key: string
  readonly by: number
}

/** What differs between the two maps; everything else below runs on both (one suite, two types). */
interface Kind<S extends GCounterMap | PnCounterMap> {
  readonly name: string
  readonly tag: number
  readonly make: (limits?: CrdtLimits) => S
  /** Increments `inc` accepts. */
  readonly amounts: fc.Arbitrary<number>
  /** An increment `inc` refuses. */
  readonly refused: readonly number[]
  /** Writes one actor's canonical totals for a total of `p` increments and `n` decrements. */
  readonly writeTotals: (encoder: Encoder, p: number, n: number) => void
  /** Totals that are not canonical: zero (and for a PN-Counter, p = n = 0). */
  readonly zeroTotals: (encoder: Encoder) => void
}

const G_COUNTER: Kind<GCounterMap> = {
  name: 'GCounterMap',
  tag: 5,
  make: (limits) => new GCounterMap(limits),
  amounts: fc.integer({ min: 1, max: 3 }),
  refused: [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1],
  writeTotals: (encoder, p) => encoder.varUint(p),
  zeroTotals: (encoder) => encoder.varUint(0),
}

const PN_COUNTER: Kind<PnCounterMap> = {
  name: 'PnCounterMap',
  tag: 4,
  make: (limits) => new PnCounterMap(limits),
  amounts: fc.integer({ min: -3, max: 3 }).filter((by) => by !== 0),
  refused: [0, 1.5, Number.NaN, -Number.MAX_SAFE_INTEGER - 1],
  writeTotals: (encoder, p, n) => {
    encoder.varUint(p)
    encoder.varUint(n)
  },
  zeroTotals: (encoder) => {
    encoder.varUint(0)
    encoder.varUint(0)
  },
}

function counterSuite<S extends GCounterMap | PnCounterMap>(kind: Kind<S>): void {
  const incs: fc.Arbitrary<Inc> = fc.record({
    actor: fc.constantFrom(...ACTORS, 'x'),
    key: keys,
    by: kind.amounts,
  })
  const inc = (state: S, op: Inc): S => state.inc(op.actor, op.key, op.by) as S
  const merge = (into: S, from: S): boolean => (into as { merge(other: S): boolean }).merge(from)

  type Step =
    | { kind: 'inc'; replica: number; key: string; by: number; alias?: number }
    | { kind: 'merge'; from: number; to: number }
    | { kind: 'delta'; pick: number; to: number }
  const steps: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('inc' as const),
        replica: fc.nat(2),
        key: keys,
        by: kind.amounts,
      }),
    },
    {
      // a misbehaving replica incrementing under another's actor id (two incarnations sharing one), so
      // that the join also meets incomparable totals of one actor
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('inc' as const),
        replica: fc.nat(2),
        key: keys,
        by: kind.amounts,
        alias: fc.nat(2),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('merge' as const), from: fc.nat(2), to: fc.nat(2) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('delta' as const), pick: fc.nat(), to: fc.nat(2) }),
    },
  )

  /**
   * A state reachable by three actors incrementing (now and then under another's id) and merging states and
   * deltas, read at one of them.
   */
  const states: fc.Arbitrary<S> = fc
    .tuple(fc.array(steps, { maxLength: 12 }), fc.nat(2))
    .map(([plan, pick]) => {
      const replicas = ACTORS.map(() => kind.make())
      const deltas: S[] = []
      for (const step of plan) {
        if (step.kind === 'inc') {
          deltas.push(
            inc(replicas[step.replica] as S, {
              actor: ACTORS[step.alias ?? step.replica] as string,
              key: step.key,
              by: step.by,
            }),
          )
        } else if (step.kind === 'merge') merge(replicas[step.to] as S, replicas[step.from] as S)
        else if (deltas.length > 0) merge(replicas[step.to] as S, deltas[step.pick % deltas.length] as S)
      }
      return replicas[pick] as S
    })

  describe(`${kind.name} laws (10,000 runs each)`, () => {
    it('merge is commutative', () => checkCommutativity(states))
    it('merge is associative', () => checkAssociativity(states))
    it('merge is idempotent', () => checkIdempotence(states))
    it('the join decomposition reconciles: fragments a peer lacks bring it to the join', () =>
      checkDecomposition(states, { runs: 2_000 }))
    it('merge reports a change exactly when the state changed', () => checkChangeReport(states))
    it('an increment is the join of the state and its delta: m(X) = X ⊔ mδ(X)', () =>
      checkDeltaLaw(states, incs, inc))
  })

  describe(kind.name, () => {
    it('converges to the sum of all increments per key under lost, duplicated and reordered deltas', () => {
      let lost = 0
      let duplicated = 0
      fc.assert(
        fc.property(networkPlans(ACTORS.length, fc.record({ key: keys, by: kind.amounts }), 60), (plan) => {
          const replicas = ACTORS.map(() => kind.make())
          const sums = new Map<string, number>()
          const run = runLossyDeltas(replicas, plan, (replica, index, op) => {
            sums.set(op.key, (sums.get(op.key) ?? 0) + op.by)
            return inc(replica, { actor: ACTORS[index] as string, key: op.key, by: op.by })
          })
          lost += run.lost
          duplicated += run.duplicated
          assert.ok(antiEntropy(replicas) <= 2)
          const expected = Object.fromEntries([...sums].sort(([a], [b]) => (a < b ? -1 : 1)))
          for (const replica of replicas) {
            assert.deepEqual(replica.value(), expected)
            assert.equal(hex(encodeCrdt(replica)), hex(encodeCrdt(replicas[0] as S)))
          }
        }),
        { numRuns: 1_000 },
      )
      // the faults did happen: a test whose network never failed proves little
      assert.ok(lost > 0 && duplicated > 0)
    })

    it('sends the new total, so a delta applied twice or late changes nothing', () => {
      const replica = kind.make()
      const first = inc(replica, { actor: 'a', key: 'k', by: 2 })
      const second = inc(replica, { actor: 'a', key: 'k', by: 3 })
      const other = kind.make()
      assert.ok(merge(other, second))
      assert.equal(merge(other, first), false)
      assert.equal(merge(other, second), false)
      assert.equal(other.get('k'), 5)
      assert.equal(other.get('missing'), 0)
    })

    it('lists values in key order, as a plain object', () => {
      const replica = kind.make()
      for (const key of ['b', 'a', 'c', '__proto__']) inc(replica, { actor: 'a', key, by: 1 })
      inc(replica, { actor: 'b', key: 'a', by: 2 })
      assert.deepEqual(Object.keys(replica.value()), ['__proto__', 'a', 'b', 'c'])
      assert.equal(replica.value().a, 3)
      assert.equal(Object.getPrototypeOf(replica.value()), Object.prototype)
      assert.equal(replica.size, 4)
    })

    it('refuses, as local misuse, bad increments, totals past 2^53 − 1 and ids its peers could not decode', () => {
      const limits: CrdtLimits = { ...DEFAULT_CRDT_LIMITS, maxEntries: 1, maxKeyBytes: 3 }
      const replica = kind.make(limits)
      for (const by of kind.refused) assert.throws(() => replica.inc('a', 'k', by), isMeshError, `by ${by}`)
      assert.throws(() => replica.inc('\udc00', 'k', 1), isMeshError)
      assert.throws(() => replica.inc('a', 'long', 1), isMeshError)
      replica.inc('a', 'k', Number.MAX_SAFE_INTEGER)
      const before = hex(encodeCrdt(replica))
      assert.throws(() => replica.inc('a', 'k', 1), isMeshError)
      assert.throws(() => replica.inc('a', 'l', 1), isMeshError) // a second key past maxEntries
      assert.equal(hex(encodeCrdt(replica)), before)
      assert.equal(replica.get('k'), Number.MAX_SAFE_INTEGER)
    })
  })

  describe(`${kind.name} codec`, () => {
    /** A body from parts: the actor dictionary, then per key its (actor index, p, n) triples. */
    const body = (
      actors: string[],
      entries: [string, [number, number, number][]][],
      zeroAt?: string,
    ): Uint8Array => {
      const encoder = new Encoder()
      encoder.u8(kind.tag)
      encoder.u8(1)
      encoder.varUint(actors.length)
      for (const actor of actors) encoder.string(actor)
      encoder.varUint(entries.length)
      for (const [key, totals] of entries) {
        encoder.string(key)
        encoder.varUint(totals.length)
        for (const [index, p, n] of totals) {
          encoder.varUint(index)
          if (key === zeroAt) kind.zeroTotals(encoder)
          else kind.writeTotals(encoder, p, n)
        }
      }
      return encoder.finish()
    }
    const reason = (data: Uint8Array, limits: Partial<CrdtLimits> = {}): string => {
      const result = decodeCrdt(data, { ...DEFAULT_CRDT_LIMITS, ...limits })
      return result.ok ? 'accepted' : result.error
    }

    it('round-trips reachable states to byte-identical encodings', () => {
      fc.assert(
        fc.property(states, (state) => {
          const written = encodeCrdt(state)
          const decoded = decodeCrdt(written)
          assert.ok(decoded.ok)
          assert.equal(decoded.value.type, state.type)
          assert.deepEqual((decoded.value as S).value(), state.value())
          assert.equal(hex(encodeCrdt(decoded.value)), hex(written))
        }),
        { numRuns: 2_000 },
      )
    })

    it('writes actors once, as a sorted dictionary, and each key’s actors in dictionary order', () => {
      const state = kind.make()
      inc(state, { actor: 'r2', key: 'k', by: 1 })
      inc(state, { actor: 'r1', key: 'k', by: 2 })
      inc(state, { actor: 'r2', key: 'j', by: 3 })
      assert.equal(
        hex(encodeCrdt(state)),
        hex(
          body(
            ['r1', 'r2'],
            [
              ['j', [[1, 3, 0]]],
              [
                'k',
                [
                  [0, 2, 0],
                  [1, 1, 0],
                ],
              ],
            ],
          ),
        ),
      )
    })

    it('refuses non-canonical bodies as invalid-value', () => {
      const one: [number, number, number][] = [[0, 1, 0]]
      assert.equal(reason(body(['a'], [['k', one]])), 'accepted')
      assert.equal(
        reason(
          body(
            ['b', 'a'],
            [
              [
                'k',
                [
                  [0, 1, 0],
                  [1, 1, 0],
                ],
              ],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(
        reason(
          body(
            ['a', 'a'],
            [
              [
                'k',
                [
                  [0, 1, 0],
                  [1, 1, 0],
                ],
              ],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(reason(body(['a', 'b'], [['k', one]])), 'invalid-value') // unused actor
      assert.equal(
        reason(
          body(
            ['a'],
            [
              ['l', one],
              ['k', one],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(
        reason(
          body(
            ['a'],
            [
              ['k', one],
              ['k', one],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(reason(body(['a'], [['k', []]])), 'invalid-value') // a key without actors
      assert.equal(
        reason(
          body(
            ['a', 'b'],
            [
              [
                'k',
                [
                  [1, 1, 0],
                  [0, 1, 0],
                ],
              ],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(
        reason(
          body(
            ['a', 'b'],
            [
              [
                'k',
                [
                  [0, 1, 0],
                  [0, 1, 0],
                ],
              ],
              ['l', [[1, 1, 0]]],
            ],
          ),
        ),
        'invalid-value',
      )
      assert.equal(reason(body(['a'], [['k', [[1, 1, 0]]]])), 'invalid-value') // index past the dictionary
      assert.equal(reason(body(['a'], [['k', one]], 'k')), 'invalid-value') // a zero total
    })

    it('refuses totals past Number.MAX_SAFE_INTEGER', () => {
      const encoder = new Encoder()
      encoder.u8(kind.tag)
      encoder.u8(1)
      encoder.varUint(1)
      encoder.string('a')
      encoder.varUint(1)
      encoder.string('k')
      encoder.varUint(1)
      encoder.varUint(0)
      encoder.raw(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])) // 2^53
      encoder.varUint(0)
      assert.equal(reason(encoder.finish()), 'varint-overflow')
    })

    it('checks every count and length against the limits before it allocates', () => {
      const state = kind.make()
      inc(state, { actor: 'r1', key: 'key', by: 1 })
      inc(state, { actor: 'r2', key: 'lock', by: 1 })
      const written = encodeCrdt(state)
      assert.equal(reason(written), 'accepted')
      assert.equal(reason(written, { maxEntries: 1 }), 'length-too-large')
      assert.equal(reason(written, { maxActors: 1 }), 'length-too-large')
      assert.equal(reason(written, { maxKeyBytes: 3 }), 'length-too-large')
      const hostile = new Encoder()
      hostile.u8(kind.tag)
      hostile.u8(1)
      hostile.varUint(1)
      hostile.string('a')
      hostile.varUint(1)
      hostile.string('k')
      hostile.varUint(2) // more actors under a key than the dictionary holds
      assert.equal(reason(hostile.finish()), 'length-too-large')
    })

    it('returns an error, never throws, for every truncation of a valid encoding', () => {
      fc.assert(
        fc.property(states, (state) => {
          const written = encodeCrdt(state)
          for (let length = 0; length < written.length; length++) {
            assert.equal(decodeCrdt(written.subarray(0, length)).ok, false)
          }
        }),
        { numRuns: 300 },
      )
    })

    it('never throws on random or mutated bytes, and whatever it accepts re-encodes to the same bytes', () => {
      const mutated = fc
        .tuple(states, fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([state, at, byte]) => {
          const data = encodeCrdt(state)
          if (data.length > 2) data[2 + (at % (data.length - 2))] = byte
          return data
        })
      const random = fc.uint8Array({ maxLength: 40 }).map((tail) => Uint8Array.from([kind.tag, 1, ...tail]))
      fc.assert(
        fc.property(fc.oneof(mutated, random), (data) => {
          const result = decodeCrdt(data)
          if (result.ok) assert.equal(hex(encodeCrdt(result.value)), hex(data))
        }),
        { numRuns: 5_000 },
      )
    })
  })
}

counterSuite(G_COUNTER)
counterSuite(PN_COUNTER)

describe('PnCounterMap values', () => {
  it('is Σp − Σn per key, and keeps a key whose value returned to zero', () => {
    const state = new PnCounterMap()
    state.inc('a', 'k', 5)
    state.inc('b', 'k', -7)
    state.inc('a', 'k', -1)
    assert.equal(state.get('k'), -3)
    assert.deepEqual(state.totals('k', 'a'), { p: 5, n: 1 })
    state.inc('b', 'k', 3)
    assert.deepEqual(state.value(), { k: 0 })
  })

  it('joins incomparable totals (only two writers misusing one actor id make them) into their maximum pair', () => {
    const base = new PnCounterMap()
    base.inc('a', 'k', 1)
    const up = base.clone()
    up.inc('a', 'k', 4)
    const down = base.clone()
    down.inc('a', 'k', -2)
    assert.ok(up.merge(down))
    assert.deepEqual(up.totals('k', 'a'), { p: 5, n: 2 })
    assert.deepEqual(down.totals('k', 'a'), { p: 1, n: 2 })
  })
})
