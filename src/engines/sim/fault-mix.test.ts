import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { DEFAULT_FAULT_MIX_BOUNDS, deriveFaultMix, describeFaultMix, type FaultMix } from './fault-mix.ts'

const rangedDimensions = [
  ['lossRate', 'maxLossRate'],
  ['duplicateRate', 'maxDuplicateRate'],
  ['reorderRate', 'maxReorderRate'],
  ['jitterMs', 'maxJitterMs'],
  ['clockOffsetMaxMs', 'maxClockOffsetMs'],
  ['clockDriftMaxPpm', 'maxClockDriftPpm'],
  ['crashFraction', 'maxCrashFraction'],
  ['restartProbability', 'maxRestartProbability'],
] as const

const mixes = (count: number): FaultMix[] =>
  Array.from({ length: count }, (_, seed) => deriveFaultMix(new Random(seed)))

describe('deriveFaultMix', () => {
  it('derives the same mix from the same seed, however much the generator was used before', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(100), (seed, drawsBefore) => {
        const used = new Random(seed)
        for (let i = 0; i < drawsBefore; i++) used.nextU32()
        assert.deepEqual(deriveFaultMix(used), deriveFaultMix(new Random(seed)))
      }),
    )
  })

  it('keeps every dimension of 1,000 seeds within the default bounds', () => {
    for (const mix of mixes(1000)) {
      for (const [field, bound] of rangedDimensions) {
        assert.ok(mix[field] >= 0 && mix[field] <= DEFAULT_FAULT_MIX_BOUNDS[bound], `${field} ${mix[field]}`)
      }
    }
  })

  it('keeps every dimension within bounds the caller narrows', () => {
    const bounds = { maxLossRate: 0.01, maxClockOffsetMs: 5, enableProbability: 1 }
    for (let seed = 0; seed < 200; seed++) {
      const mix = deriveFaultMix(new Random(seed), bounds)
      assert.ok(mix.lossRate > 0 && mix.lossRate <= 0.01)
      assert.ok(mix.clockOffsetMaxMs > 0 && mix.clockOffsetMaxMs <= 5)
    }
  })

  it('switches each dimension off on about half of 1,000 seeds and ranges it on the others (swarm testing)', () => {
    const all = mixes(1000)
    for (const [field, bound] of rangedDimensions) {
      const off = all.filter((mix) => mix[field] === 0).length
      assert.ok(off > 420 && off < 580, `${field} off on ${off} seeds`)
      const on = all.map((mix) => mix[field]).filter((value) => value > 0)
      const max = DEFAULT_FAULT_MIX_BOUNDS[bound]
      assert.ok(Math.min(...on) < 0.1 * max && Math.max(...on) > 0.9 * max, `${field} covers its range`)
    }
  })

  it('partitions about 30 % of seeds and uses every mode and kind', () => {
    const all = mixes(1000)
    const partitioned = all.filter((mix) => mix.partition)
    assert.ok(partitioned.length > 250 && partitioned.length < 350, `${partitioned.length} partitioned`)
    assert.deepEqual(
      new Set(partitioned.map((mix) => mix.partitionMode)),
      new Set(['symmetric', 'asymmetric']),
    )
    assert.deepEqual(
      new Set(partitioned.map((mix) => mix.partitionKind)),
      new Set(['isolate-single', 'uniform-size', 'halves']),
    )
  })

  it('varies across seeds: 100 seeds give 100 different mixes', () => {
    assert.equal(new Set(mixes(100).map(describeFaultMix)).size, 100)
  })

  it('does not change one dimension when another bound changes', () => {
    for (let seed = 0; seed < 50; seed++) {
      const base = deriveFaultMix(new Random(seed))
      const narrower = deriveFaultMix(new Random(seed), { maxLossRate: 0.02 })
      assert.equal(narrower.duplicateRate, base.duplicateRate)
      assert.equal(narrower.partitionKind, base.partitionKind)
      assert.equal(narrower.lossRate === 0, base.lossRate === 0)
    }
  })

  it('rejects bounds outside their ranges', () => {
    assert.throws(() => deriveFaultMix(new Random(1), { maxLossRate: 2 }), RangeError)
    assert.throws(() => deriveFaultMix(new Random(1), { maxJitterMs: -1 }), RangeError)
    assert.throws(() => deriveFaultMix(new Random(1), { maxClockDriftPpm: 1e6 }), RangeError)
  })
})

describe('describeFaultMix', () => {
  it('writes one line naming every dimension, with off for switched-off ones', () => {
    const line = describeFaultMix({
      lossRate: 0.032,
      duplicateRate: 0,
      reorderRate: 0.051,
      jitterMs: 1.2,
      clockOffsetMaxMs: 312.4,
      clockDriftMaxPpm: 0,
      crashFraction: 0.04,
      restartProbability: 0.22,
      partition: true,
      partitionMode: 'asymmetric',
      partitionKind: 'halves',
    })
    assert.equal(
      line,
      'loss 3.2% dup off reorder 5.1% jitter 1.20ms offset ±312ms drift off crash 4.0% restart 22.0% partition asymmetric/halves',
    )
    assert.ok(!line.includes('\n'))
  })
})
