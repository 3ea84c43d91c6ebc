import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { earliest, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, minutes, seconds } from './time.ts'

describe('time', () => {
  it('converts seconds and minutes to milliseconds, fractions included', () => {
    assert.equal(MS_PER_SECOND, 1_000)
    assert.equal(MS_PER_MINUTE, 60 * MS_PER_SECOND)
    assert.equal(MS_PER_HOUR, 60 * MS_PER_MINUTE)
    assert.equal(seconds(3), 3_000)
    assert.equal(seconds(0.25), 250)
    assert.equal(minutes(2), 120_000)
    assert.equal(minutes(0.5), 30_000)
  })

  it('earliest treats undefined as "no deadline"', () => {
    assert.equal(earliest(undefined, undefined), undefined)
    assert.equal(earliest(5, undefined), 5)
    assert.equal(earliest(undefined, 5), 5)
    assert.equal(earliest(0, undefined), 0)
  })

  it('law: earliest of two deadlines is the smaller, whichever comes first', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        // `===`, not Object.is: of two equal deadlines (0 and −0 included) either may be returned
        assert.ok(earliest(a, b) === Math.min(a, b), `earliest(${a}, ${b}) = ${earliest(a, b)}`)
        assert.ok(earliest(a, b) === earliest(b, a))
      }),
    )
  })
})
