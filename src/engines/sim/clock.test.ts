import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { SkewedClock } from './clock.ts'

const offsets = fc.double({ min: -500, max: 500, noNaN: true })
const drifts = fc.double({ min: -200, max: 200, noNaN: true })
const simTimes = fc.double({ min: 0, max: 1e9, noNaN: true })

describe('SkewedClock', () => {
  it('reads virtual time scaled by the drift and shifted by the offset', () => {
    const clock = new SkewedClock(250, 100)
    assert.equal(clock.local(0), 250)
    assert.equal(clock.local(1_000_000), 1_000_000 * 1.0001 + 250)
    assert.equal(SkewedClock.exact().local(1234.5), 1234.5)
  })

  it('round-trips: toSim(local(t)) equals t up to float rounding, for any offset and drift in range', () => {
    fc.assert(
      fc.property(offsets, drifts, simTimes, (offsetMs, driftPpm, t) => {
        const clock = new SkewedClock(offsetMs, driftPpm)
        const back = clock.toSim(clock.local(t))
        assert.ok(Math.abs(back - t) <= 1e-9 * Math.max(1, t) + 1e-9, `${back} vs ${t}`)
      }),
    )
  })

  it('never converts a local deadline to a virtual time at which the clock still reads earlier', () => {
    fc.assert(
      fc.property(
        offsets,
        drifts,
        fc.double({ min: -1e3, max: 1e9, noNaN: true }),
        (offsetMs, driftPpm, x) => {
          const clock = new SkewedClock(offsetMs, driftPpm)
          assert.ok(clock.local(clock.toSim(x)) >= x)
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('is monotonic: a later virtual time never reads earlier locally', () => {
    fc.assert(
      fc.property(offsets, drifts, simTimes, simTimes, (offsetMs, driftPpm, a, b) => {
        const clock = new SkewedClock(offsetMs, driftPpm)
        const [early, late] = a <= b ? [a, b] : [b, a]
        assert.ok(clock.local(early) <= clock.local(late))
        assert.ok(clock.toSim(clock.local(early)) <= clock.toSim(clock.local(late)))
      }),
    )
  })

  it('draws offset and drift within the bounds, the same for the same seed', () => {
    for (let seed = 0; seed < 200; seed++) {
      const clock = SkewedClock.drawn(new Random(seed), 500, 200)
      assert.ok(Math.abs(clock.offsetMs) <= 500 && Math.abs(clock.driftPpm) <= 200)
      assert.deepEqual(SkewedClock.drawn(new Random(seed), 500, 200), clock)
    }
  })

  it('rejects a drift that would stop or reverse the clock', () => {
    assert.throws(() => new SkewedClock(0, -1e6), RangeError)
    assert.throws(() => new SkewedClock(Number.NaN, 0), RangeError)
  })
})
