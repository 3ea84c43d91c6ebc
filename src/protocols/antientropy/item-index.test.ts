import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { checkHash, ItemIndex, subtractLittleEndian } from './item-index.ts'
import { containsId, type Range, rangeAfter } from './ranges.ts'
import { randomId } from './testing/sets.ts'

const littleEndian = (bytes: Uint8Array): bigint => {
  let value = 0n
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number)
  return value
}

const random = new Random(1)
const index = new ItemIndex(Array.from({ length: 3_000 }, () => randomId(random)))

describe('item index', () => {
  it('law: a span’s sum is the sum of its ids mod 2^256, and its check the sum of their hashes mod 2^32', () => {
    fc.assert(
      fc.property(fc.nat(3_000), fc.nat(3_000), (x, y) => {
        const lo = Math.min(x, y)
        const hi = Math.max(x, y)
        let sum = 0n
        let check = 0
        for (let i = lo; i < hi; i++) {
          sum += littleEndian(index.ids[i] as Uint8Array)
          check = (check + checkHash(index.ids[i] as Uint8Array)) >>> 0
        }
        assert.equal(littleEndian(index.sum(lo, hi)), sum % 2n ** 256n)
        assert.equal(index.check(lo, hi), check)
      }),
      { numRuns: 300 },
    )
  })

  it('law: a range’s span holds exactly the ids whose leading bits are the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.nat(), (depth, seed) => {
        const range = rangeAfter(0, depth, seed % 2 ** depth) as Range
        const { lo, hi } = index.span(range)
        const inside = index.ids.filter((id) => containsId(range, id)).length
        assert.equal(hi - lo, inside)
        for (let i = lo; i < hi; i++) assert.ok(containsId(range, index.ids[i] as Uint8Array))
      }),
      { numRuns: 300 },
    )
  })

  it('finds ids and 8-byte prefixes, and not what it does not hold', () => {
    const id = index.ids[1_234] as Uint8Array
    assert.equal(index.indexOf(id), 1_234)
    assert.deepEqual(index.withPrefix(id.slice(0, 8)), [1_234])
    assert.equal(index.has(randomId(new Random(2))), false)
    assert.equal(index.indexOf(new Uint8Array(31)), -1)
  })

  it('law: the low bytes of a difference depend on the low bytes alone (a prefix of the missing id)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          assert.deepEqual(subtractLittleEndian(a, b, 8), subtractLittleEndian(a, b).slice(0, 8))
          assert.deepEqual(
            subtractLittleEndian(a.slice(0, 8), b.slice(0, 8), 8),
            subtractLittleEndian(a, b, 8),
          )
        },
      ),
    )
  })

  it('refuses ids that are not 32 bytes: the caller’s bug, said at once', () => {
    assert.throws(() => new ItemIndex([new Uint8Array(16)]), RangeError)
  })
})
