import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Decoder, Encoder } from '../../kernel/index.ts'
import { CausalContext } from './causal-context.ts'
import { DEFAULT_CRDT_LIMITS } from './crdt.ts'
import { readDictionary, writeDictionary } from './dictionary.ts'

const ACTORS = ['a', 'b', 'c']
const dotArb = fc.tuple(fc.constantFrom(...ACTORS), fc.integer({ min: 1, max: 12 }))
const dotsArb = fc.array(dotArb, { maxLength: 20 })

function build(dots: readonly (readonly [string, number])[]): CausalContext {
  const context = new CausalContext()
  for (const [actor, counter] of dots) context.add(actor, counter)
  return context
}

function model(dots: readonly (readonly [string, number])[]): Set<string> {
  return new Set(dots.map(([actor, counter]) => `${actor}:${counter}`))
}

function encode(context: CausalContext): string {
  const encoder = new Encoder()
  context.write(encoder, writeDictionary(encoder, context.actors()))
  return Buffer.from(encoder.finish()).toString('hex')
}

function decode(hex: string): { context: CausalContext; error: string | undefined } {
  const decoder = new Decoder(Buffer.from(hex, 'hex'))
  const actors = readDictionary(decoder, DEFAULT_CRDT_LIMITS)
  const context = CausalContext.read(decoder, actors, DEFAULT_CRDT_LIMITS)
  decoder.done()
  return { context, error: decoder.error }
}

/** The invariants that make the representation canonical. */
function assertCompact(context: CausalContext): void {
  for (const max of context.vector.values()) assert.ok(max >= 1)
  for (const [actor, counters] of context.cloud) {
    assert.ok(counters.size > 0)
    for (const counter of counters) assert.ok(counter > (context.vector.get(actor) ?? 0) + 1)
  }
}

describe('CausalContext', () => {
  it('covers exactly the dots added, in any order, and keeps them compact', () => {
    fc.assert(
      fc.property(dotsArb, (dots) => {
        const context = build(dots)
        const seen = model(dots)
        assertCompact(context)
        for (const actor of ACTORS) {
          for (let counter = 1; counter <= 13; counter++) {
            assert.equal(context.covers(actor, counter), seen.has(`${actor}:${counter}`))
          }
        }
      }),
      { numRuns: 2_000 },
    )
  })

  it('drains the cloud into the vector once a gap fills', () => {
    const context = build([
      ['a', 3],
      ['a', 5],
      ['a', 2],
    ])
    assert.equal(context.vector.get('a'), undefined)
    assert.deepEqual([...(context.cloud.get('a') ?? [])].sort(), [2, 3, 5])
    context.add('a', 1)
    assert.equal(context.vector.get('a'), 3)
    assert.deepEqual([...(context.cloud.get('a') ?? [])], [5])
    context.add('a', 4)
    assert.equal(context.vector.get('a'), 5)
    assert.equal(context.cloud.has('a'), false)
  })

  it('merges as set union, reports a change exactly when a dot was new, and is commutative', () => {
    fc.assert(
      fc.property(dotsArb, dotsArb, (left, right) => {
        const a = build(left)
        const b = build(right)
        const before = model(left)
        const union = model([...left, ...right])
        const changed = a.merge(b)
        assert.equal(changed, union.size > before.size)
        assertCompact(a)
        assert.equal(encode(a), encode(build([...right, ...left])))
        const other = build(right)
        other.merge(build(left))
        assert.equal(encode(a), encode(other))
        assert.equal(a.merge(b), false)
      }),
      { numRuns: 2_000 },
    )
  })

  it('gives a next counter above every dot of the actor it holds, cloud included', () => {
    assert.equal(new CausalContext().nextCounter('a'), 1)
    assert.equal(build([['a', 1]]).nextCounter('a'), 2)
    assert.equal(
      build([
        ['a', 1],
        ['a', 7],
      ]).nextCounter('a'),
      8,
    )
  })

  it('round-trips its encoding', () => {
    fc.assert(
      fc.property(dotsArb, (dots) => {
        const hex = encode(build(dots))
        const { context, error } = decode(hex)
        assert.equal(error, undefined)
        assert.equal(encode(context), hex)
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses a second encoding of the same dots: a cloud dot the vector covers or would absorb', () => {
    const write = (vectorMax: number, cloud: number[]): string => {
      const encoder = new Encoder()
      encoder.varUint(1)
      encoder.string('a')
      encoder.varUint(1)
      encoder.varUint(0)
      encoder.varUint(vectorMax)
      encoder.varUint(1)
      encoder.varUint(0)
      encoder.varUint(cloud.length)
      for (const counter of cloud) encoder.varUint(counter)
      return Buffer.from(encoder.finish()).toString('hex')
    }
    assert.equal(decode(write(3, [5, 7])).error, undefined)
    assert.equal(decode(write(3, [2])).error, 'invalid-value')
    assert.equal(decode(write(3, [4])).error, 'invalid-value')
    assert.equal(decode(write(3, [7, 5])).error, 'invalid-value')
    assert.equal(decode(write(3, [5, 5])).error, 'invalid-value')
    assert.equal(decode(write(0, [5])).error, 'invalid-value')
    assert.equal(decode(write(3, [])).error, 'invalid-value')
  })
})
