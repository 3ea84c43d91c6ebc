import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { scoreXor } from './xor.ts'

describe('XOR task', () => {
  it('gives a perfect network the maximum fitness of 16 and calls it solved', () => {
    const score = scoreXor(([a, b]) => ((a ?? 0) !== (b ?? 0) ? 1 : 0))
    assert.deepEqual(score, { fitness: 16, solved: true, errorSum: 0 })
  })

  it('scores a constant 0.5 as (4 − 2)² = 4 and unsolved', () => {
    assert.deepEqual(
      scoreXor(() => 0.5),
      { fitness: 4, solved: false, errorSum: 2 },
    )
  })

  it('passes the bias as the third input', () => {
    const seen: number[][] = []
    scoreXor((inputs) => {
      seen.push([...inputs])
      return 0
    })
    assert.deepEqual(seen, [
      [0, 0, 1],
      [0, 1, 1],
      [1, 0, 1],
      [1, 1, 1],
    ])
  })

  it('gives no fitness to a network that outputs NaN', () => {
    assert.equal(scoreXor(() => Number.NaN).fitness, 0)
  })
})
