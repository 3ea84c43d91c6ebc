import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { hashString, Random } from './random.ts'

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0)
  const expected = total / counts.length
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0)
}

function draws(random: Random, count: number): number[] {
  return Array.from({ length: count }, () => random.nextU32())
}

const seedArbitrary = fc.oneof(fc.maxSafeInteger(), fc.string())

describe('Random', () => {
  describe('generator', () => {
    it('is xoshiro128**: from state [1, 2, 3, 4] it yields the reference outputs', () => {
      // Reference values of the C implementation (prng.di.unimi.it/xoshiro128starstar.c) for s = {1, 2, 3, 4}.
      // The state is private, so the test installs it through the method the constructor uses.
      const random = new Random(0)
      ;(random as unknown as { reset(words: number[]): void }).reset([1, 2, 3, 4])
      assert.deepEqual(
        draws(random, 10),
        [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804],
      )
    })

    it('gives pinned first outputs for seed 42, so a change to seeding or the generator is noticed', () => {
      assert.deepEqual(draws(new Random(42), 5), [2837322924, 544945897, 479756282, 3500138142, 339756180])
    })

    it('gives pinned first outputs for the string seed "meshwork"', () => {
      assert.deepEqual(draws(new Random('meshwork'), 3), [3940121840, 1376246464, 2936581492])
    })

    it('nextU32 returns unsigned 32-bit integers', () => {
      const random = new Random(7)
      for (let i = 0; i < 10_000; i++) {
        const value = random.nextU32()
        assert.ok(Number.isInteger(value) && value >= 0 && value < 2 ** 32, `${value}`)
      }
    })

    it('starts from a non-zero state even for seed 0', () => {
      const values = draws(new Random(0), 8)
      assert.ok(values.some((value) => value !== 0))
    })
  })

  describe('seeding', () => {
    it('law: two generators with the same seed produce bit-identical sequences', () => {
      fc.assert(
        fc.property(seedArbitrary, (seed) => {
          assert.deepEqual(draws(new Random(seed), 16), draws(new Random(seed), 16))
        }),
      )
    })

    it('law: different seeds produce different sequences', () => {
      fc.assert(
        fc.property(seedArbitrary, seedArbitrary, (a, b) => {
          fc.pre(a !== b)
          assert.notDeepEqual(draws(new Random(a), 4), draws(new Random(b), 4))
        }),
      )
    })

    it('gives unrelated streams for neighbouring integer seeds and for a seed and its negation', () => {
      const firsts = new Set<number>()
      for (let seed = -500; seed <= 500; seed++) firsts.add(new Random(seed).nextU32())
      assert.equal(firsts.size, 1001)
    })

    it('distinguishes seeds that differ only above bit 32 and at the extremes of the safe range', () => {
      const seeds = [
        0,
        1,
        2 ** 32,
        2 ** 32 + 1,
        2 ** 33,
        -(2 ** 32),
        Number.MAX_SAFE_INTEGER,
        Number.MIN_SAFE_INTEGER,
        -1,
        2 ** 32 - 1,
      ]
      const sequences = new Set(seeds.map((seed) => draws(new Random(seed), 4).join(',')))
      assert.equal(sequences.size, seeds.length)
    })

    it('a string seed and the number it spells are different seeds', () => {
      assert.notDeepEqual(draws(new Random('42'), 4), draws(new Random(42), 4))
    })

    it('rejects seeds that are not safe integers', () => {
      for (const seed of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
        assert.throws(() => new Random(seed), RangeError, `${seed}`)
      }
    })
  })

  describe('fork', () => {
    it('law: fork(label) is deterministic in (seed, label)', () => {
      fc.assert(
        fc.property(seedArbitrary, fc.oneof(fc.string(), fc.integer()), (seed, label) => {
          assert.deepEqual(draws(new Random(seed).fork(label), 8), draws(new Random(seed).fork(label), 8))
        }),
      )
    })

    it('law: fork(label) does not depend on how many numbers the parent has drawn', () => {
      fc.assert(
        fc.property(seedArbitrary, fc.string(), fc.nat(200), (seed, label, drawn) => {
          const fresh = new Random(seed)
          const used = new Random(seed)
          draws(used, drawn)
          assert.deepEqual(draws(used.fork(label), 8), draws(fresh.fork(label), 8))
        }),
      )
    })

    it('does not advance the parent', () => {
      const forked = new Random(3)
      forked.fork('tracing')
      forked.fork(17)
      assert.deepEqual(draws(forked, 8), draws(new Random(3), 8))
    })

    it('law: different labels give different streams', () => {
      fc.assert(
        fc.property(seedArbitrary, fc.string(), fc.string(), (seed, a, b) => {
          fc.pre(a !== b)
          const parent = new Random(seed)
          assert.notDeepEqual(draws(parent.fork(a), 4), draws(parent.fork(b), 4))
        }),
      )
    })

    it('gives distinct streams for a thousand labels, numeric and textual', () => {
      const parent = new Random('sim')
      const firsts = new Set<string>()
      for (let i = 0; i < 500; i++) {
        firsts.add(draws(parent.fork(i), 2).join(','))
        firsts.add(draws(parent.fork(`node-${i}`), 2).join(','))
      }
      assert.equal(firsts.size, 1000)
    })

    it('child streams differ from the parent stream and from children of another seed', () => {
      const a = new Random(1)
      const b = new Random(2)
      assert.notDeepEqual(draws(a.fork('net'), 4), draws(new Random(1), 4))
      assert.notDeepEqual(draws(a.fork('net'), 4), draws(b.fork('net'), 4))
    })

    it('forks of forks are deterministic', () => {
      const one = new Random(9).fork('a').fork('b')
      const two = new Random(9).fork('a').fork('b')
      assert.deepEqual(draws(one, 8), draws(two, 8))
      assert.notDeepEqual(
        draws(new Random(9).fork('a').fork('c'), 8),
        draws(new Random(9).fork('a').fork('b'), 8),
      )
    })
  })

  describe('split', () => {
    it('is deterministic and advances the parent by two draws', () => {
      const a = new Random(5)
      const b = new Random(5)
      assert.deepEqual(draws(a.split(), 8), draws(b.split(), 8))
      const reference = new Random(5)
      draws(reference, 2)
      assert.equal(a.nextU32(), reference.nextU32())
    })
  })

  describe('intBelow', () => {
    it('law: intBelow(bound) is an integer in [0, bound)', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, bound) => {
          const random = new Random(seed)
          for (let i = 0; i < 20; i++) {
            const value = random.intBelow(bound)
            assert.ok(Number.isInteger(value) && value >= 0 && value < bound, `${value} of ${bound}`)
          }
        }),
      )
    })

    it('is unbiased for bound 7 (chi-square, 70,000 draws, 6 degrees of freedom)', () => {
      const random = new Random(20240607)
      const counts = new Array<number>(7).fill(0)
      for (let i = 0; i < 70_000; i++) {
        const value = random.intBelow(7)
        counts[value] = (counts[value] ?? 0) + 1
      }
      // p = 0.001 critical value for 6 degrees of freedom is 22.46
      const statistic = chiSquareUniform(counts)
      assert.ok(statistic < 30, `chi-square ${statistic.toFixed(2)} for counts ${counts.join(',')}`)
    })

    it('is unbiased for bound 3·2^30, where modulo reduction would favour the lowest third twice over', () => {
      // 2^32 = 3·2^30 + 2^30: `nextU32() % bound` would put half of all values in [0, 2^30).
      const random = new Random(77)
      const bound = 3 * 2 ** 30
      const counts = [0, 0, 0]
      for (let i = 0; i < 30_000; i++) {
        const third = Math.floor(random.intBelow(bound) / 2 ** 30)
        counts[third] = (counts[third] ?? 0) + 1
      }
      // p = 0.001 critical value for 2 degrees of freedom is 13.82; plain `% bound` would score ~3,750
      const statistic = chiSquareUniform(counts)
      assert.ok(statistic < 20, `chi-square ${statistic.toFixed(2)} for counts ${counts.join(',')}`)
    })

    it('accepts bound 1 and 2^32', () => {
      const random = new Random(1)
      assert.equal(random.intBelow(1), 0)
      const value = random.intBelow(2 ** 32)
      assert.ok(value >= 0 && value < 2 ** 32)
    })

    it('rejects bounds that are not integers in [1, 2^32]', () => {
      const random = new Random(1)
      for (const bound of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => random.intBelow(bound), RangeError, `${bound}`)
      }
    })
  })

  describe('intBetween and floatBetween', () => {
    it('law: intBetween(min, max) lies in [min, max] inclusive and reaches both ends', () => {
      const random = new Random(11)
      const seen = new Set<number>()
      for (let i = 0; i < 2_000; i++) {
        const value = random.intBetween(-3, 3)
        assert.ok(value >= -3 && value <= 3 && Number.isInteger(value))
        seen.add(value)
      }
      assert.equal(seen.size, 7)
    })

    it('law: floatBetween(min, max) lies in [min, max)', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), (seed) => {
          const value = new Random(seed).floatBetween(-2.5, 4)
          assert.ok(value >= -2.5 && value < 4)
        }),
      )
    })
  })

  describe('float', () => {
    it('law: float() lies in [0, 1)', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), (seed) => {
          const random = new Random(seed)
          for (let i = 0; i < 50; i++) {
            const value = random.float()
            assert.ok(value >= 0 && value < 1, `${value}`)
          }
        }),
      )
    })

    it('has mean ≈ 1/2 and fills ten equal bins evenly', () => {
      const random = new Random(123)
      const counts = new Array<number>(10).fill(0)
      let sum = 0
      for (let i = 0; i < 50_000; i++) {
        const value = random.float()
        sum += value
        const bin = Math.floor(value * 10)
        counts[bin] = (counts[bin] ?? 0) + 1
      }
      assert.ok(Math.abs(sum / 50_000 - 0.5) < 0.01)
      assert.ok(chiSquareUniform(counts) < 40, counts.join(','))
    })

    it('uses more than 32 bits of precision', () => {
      const random = new Random(5)
      const fine = Array.from({ length: 100 }, () => random.float()).some(
        (value) => !Number.isInteger(value * 2 ** 32),
      )
      assert.ok(fine)
    })
  })

  describe('chance', () => {
    it('chance(0) is never true and chance(1) always, without drawing a number', () => {
      const random = new Random(8)
      for (let i = 0; i < 1_000; i++) {
        assert.equal(random.chance(0), false)
        assert.equal(random.chance(-1), false)
        assert.equal(random.chance(1), true)
        assert.equal(random.chance(2), true)
      }
      assert.deepEqual(draws(random, 4), draws(new Random(8), 4))
    })

    it('chance(0.3) is true about 30% of the time', () => {
      const random = new Random(31)
      let hits = 0
      for (let i = 0; i < 20_000; i++) if (random.chance(0.3)) hits++
      assert.ok(Math.abs(hits / 20_000 - 0.3) < 0.02, `${hits}`)
    })
  })

  describe('normal and exponential', () => {
    it('normal() has mean ≈ 0 and standard deviation ≈ 1 over 20,000 draws', () => {
      const random = new Random(4242)
      const count = 20_000
      let sum = 0
      let sumOfSquares = 0
      for (let i = 0; i < count; i++) {
        const value = random.normal()
        assert.ok(Number.isFinite(value))
        sum += value
        sumOfSquares += value * value
      }
      const mean = sum / count
      const sd = Math.sqrt(sumOfSquares / count - mean * mean)
      assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`)
      assert.ok(Math.abs(sd - 1) < 0.05, `sd ${sd}`)
    })

    it('exponential(mean) is non-negative with the requested mean', () => {
      const random = new Random(99)
      let sum = 0
      for (let i = 0; i < 20_000; i++) {
        const value = random.exponential(250)
        assert.ok(value >= 0 && Number.isFinite(value))
        sum += value
      }
      assert.ok(Math.abs(sum / 20_000 - 250) < 10, `${sum / 20_000}`)
    })
  })

  describe('pick', () => {
    it('returns an element of the input, or undefined for an empty input', () => {
      const random = new Random(2)
      const items = ['a', 'b', 'c']
      for (let i = 0; i < 100; i++) assert.ok(items.includes(random.pick(items) ?? ''))
      assert.equal(random.pick([]), undefined)
    })
  })

  describe('shuffle', () => {
    it('law: shuffle returns the same array holding a permutation of its input', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), fc.array(fc.integer()), (seed, items) => {
          const copy = items.slice()
          const shuffled = new Random(seed).shuffle(copy)
          assert.equal(shuffled, copy)
          assert.deepEqual(
            shuffled.slice().sort((a, b) => a - b),
            items.slice().sort((a, b) => a - b),
          )
        }),
      )
    })

    it('produces each of the 24 permutations of 4 items equally often (chi-square, 48,000 shuffles)', () => {
      const random = new Random(2718)
      const counts = new Map<string, number>()
      for (let i = 0; i < 48_000; i++) {
        const key = random.shuffle([0, 1, 2, 3]).join('')
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      assert.equal(counts.size, 24)
      // p = 0.001 critical value for 23 degrees of freedom is 49.73
      const statistic = chiSquareUniform([...counts.values()])
      assert.ok(statistic < 70, `chi-square ${statistic.toFixed(2)}`)
    })

    it('leaves empty and single-item arrays unchanged', () => {
      const random = new Random(1)
      assert.deepEqual(random.shuffle([]), [])
      assert.deepEqual(random.shuffle(['only']), ['only'])
    })
  })

  describe('sample', () => {
    const distinctFromInput = (items: readonly number[], chosen: readonly number[], count: number): void => {
      assert.equal(chosen.length, Math.max(0, Math.min(count, items.length)))
      assert.equal(new Set(chosen).size, chosen.length, 'elements are distinct')
      for (const item of chosen) assert.ok(items.includes(item), `${item} is from the input`)
    }

    it('law: sample(items, k) returns min(k, n) distinct elements of the input', () => {
      fc.assert(
        fc.property(
          fc.maxSafeInteger(),
          fc.uniqueArray(fc.integer(), { maxLength: 60 }),
          fc.integer({ min: -2, max: 70 }),
          (seed, items, count) => {
            distinctFromInput(items, new Random(seed).sample(items, count), count)
          },
        ),
      )
    })

    it('takes 3 distinct elements of 1,000,000 (the rejection path)', () => {
      const items = Array.from({ length: 1_000_000 }, (_, i) => i)
      const random = new Random(6)
      for (let round = 0; round < 100; round++) distinctFromInput(items, random.sample(items, 3), 3)
    })

    it('takes 90 of 100 and all of 100 (the partial Fisher–Yates path) without changing the input', () => {
      const items = Array.from({ length: 100 }, (_, i) => i)
      const random = new Random(6)
      distinctFromInput(items, random.sample(items, 90), 90)
      distinctFromInput(items, random.sample(items, 100), 100)
      distinctFromInput(items, random.sample(items, 500), 500)
      assert.deepEqual(
        items,
        Array.from({ length: 100 }, (_, i) => i),
      )
    })

    it('returns nothing for k ≤ 0 or an empty input', () => {
      const random = new Random(6)
      assert.deepEqual(random.sample([1, 2, 3], 0), [])
      assert.deepEqual(random.sample([1, 2, 3], -4), [])
      assert.deepEqual(random.sample([], 3), [])
    })

    it('chooses each element equally often on both paths (chi-square)', () => {
      for (const [n, k] of [
        [20, 2],
        [8, 6],
      ] as const) {
        const random = new Random(`sample-${n}-${k}`)
        const items = Array.from({ length: n }, (_, i) => i)
        const counts = new Array<number>(n).fill(0)
        for (let round = 0; round < 10_000; round++) {
          for (const item of random.sample(items, k)) counts[item] = (counts[item] ?? 0) + 1
        }
        const statistic = chiSquareUniform(counts)
        assert.ok(statistic < 3 * n, `n=${n} k=${k} chi-square ${statistic.toFixed(2)}`)
      }
    })
  })

  describe('hashString', () => {
    it('is stable across runs and sensitive to the seed and to every character', () => {
      assert.equal(hashString('meshwork'), hashString('meshwork'))
      assert.notEqual(hashString('meshwork'), hashString('meshwork', 1))
      assert.notEqual(hashString('ab'), hashString('ba'))
      assert.notEqual(hashString(''), hashString('\0'))
    })

    it('law: hashString returns an unsigned 32-bit integer', () => {
      fc.assert(
        fc.property(fc.string(), (text) => {
          const hash = hashString(text)
          assert.ok(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32)
        }),
      )
    })
  })
})
