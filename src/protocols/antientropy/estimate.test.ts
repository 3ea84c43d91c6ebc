import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import { rbsrConfig } from './config.ts'
import { type ChildObservation, estimateDensity, expectedDifferences } from './estimate.ts'
import { answerFor, splitBits } from './policy.ts'

/** K children of `size` items with Poisson(ρ·size) differences, a share `oneSided` of them on one side. */
function children(
  random: Random,
  count: number,
  size: number,
  density: number,
  oneSided: number,
): ChildObservation[] {
  return Array.from({ length: count }, () => {
    let mine = 0
    let theirs = 0
    // Poisson by counting exponential gaps
    for (let t = random.exponential(1); t < density * size; t += random.exponential(1)) {
      if (random.chance(oneSided) || random.chance(0.5)) mine++
      else theirs++
    }
    const differences = mine + theirs
    return { size, delta: mine - theirs, mismatched: differences > 0 }
  })
}

describe('difference estimate', () => {
  it('estimates the density within a factor of two, sparse or saturated, one-sided or not', () => {
    const random = new Random(3)
    for (const perChild of [0.3, 1, 6, 60]) {
      for (const oneSided of [0, 1]) {
        const estimates = Array.from({ length: 21 }, () =>
          estimateDensity(children(random, 64, 1_000, perChild / 1_000, oneSided)),
        ).sort((a, b) => a - b)
        const median = (estimates[10] as number) * 1_000
        assert.ok(
          median > perChild / 2 && median < perChild * 2,
          `${perChild} per child, one-sided ${oneSided}: ${median}`,
        )
      }
    }
  })

  it('expects at least one difference, at least the count gap, and two when counts agree', () => {
    assert.equal(expectedDifferences(100, 1, 0), 1)
    assert.equal(expectedDifferences(100, 0, 0), 2)
    assert.equal(expectedDifferences(100, -5, 0.001), 5)
    assert.ok(expectedDifferences(1_000, 1, 0.01) > 10)
  })
})

describe('answer policy', () => {
  const config = rbsrConfig()
  const limits = { maxIds: 256 }
  it('gives everything to a side that holds nothing, and asks a side that holds everything', () => {
    assert.deepEqual(answerFor({ mine: 10, theirs: 0, depth: 4, expected: 10 }, config, limits), {
      kind: 'give-all',
    })
    assert.deepEqual(answerFor({ mine: 0, theirs: 10, depth: 4, expected: 10 }, config, limits), {
      kind: 'ask-list',
    })
  })

  it('sends a cell for a likely single difference, and splits where more are expected', () => {
    assert.deepEqual(answerFor({ mine: 40, theirs: 39, depth: 8, expected: 1.1 }, config, limits), {
      kind: 'cell',
    })
    assert.equal(answerFor({ mine: 40, theirs: 39, depth: 8, expected: 5 }, config, limits).kind, 'split')
    assert.equal(answerFor({ mine: 40, theirs: 40, depth: 8, expected: 2 }, config, limits).kind, 'split')
  })

  it('lists a few ids where two differences or more are known', () => {
    assert.deepEqual(answerFor({ mine: 3, theirs: 3, depth: 20, expected: 2 }, config, limits), {
      kind: 'id-list',
    })
    const failed = { mine: 4, theirs: 5, depth: 20, expected: 3, cellFailed: true }
    assert.deepEqual(answerFor(failed, config, limits), { kind: 'id-list' })
  })

  it('splits into about splitFactor children per expected difference, within the bounds', () => {
    assert.equal(splitBits({ mine: 6_000, theirs: 6_000, depth: 4, expected: 6 }, config), 5)
    assert.equal(
      splitBits({ mine: 6_000, theirs: 6_000, depth: 4, expected: 60 }, config),
      config.maxChildBits,
    )
    assert.equal(
      splitBits({ mine: 3, theirs: 2, depth: 30, expected: 30 }, config),
      4,
      'four children per item at most',
    )
    assert.equal(
      splitBits({ mine: 9_000, theirs: 9_000, depth: 51, expected: 9 }, config),
      1,
      'not past 52 bits',
    )
  })
})
