import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DOUBLE_POLE,
  decide,
  derivatives,
  failed,
  generalizationStarts,
  initialState,
  markovInputs,
  nonMarkovInputs,
  type PoleState,
  rk4,
} from './double-pole.ts'

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`)

describe('double pole physics', () => {
  it('pins the reference constants', () => {
    assert.deepEqual(
      [
        DOUBLE_POLE.mup,
        DOUBLE_POLE.gravity,
        DOUBLE_POLE.massCart,
        DOUBLE_POLE.massPole1,
        DOUBLE_POLE.length1,
      ],
      [0.000002, -9.8, 1.0, 0.1, 0.5],
    )
    assert.deepEqual(
      [DOUBLE_POLE.massPole2, DOUBLE_POLE.length2, DOUBLE_POLE.forceMag, DOUBLE_POLE.tau],
      [0.01, 0.05, 10, 0.01],
    )
    assert.equal(DOUBLE_POLE.failureAngle, 0.628329)
    assert.deepEqual(initialState(), [0, 0, 0.07, 0, 0, 0])
  })

  it('matches the hand-computed accelerations of an upright system pushed with 10 N', () => {
    // cos = 1, sin = 0: mi1 = 0.1 · 0.25, mi2 = 0.01 · 0.25, ẍ = 10 / (0.025 + 0.0025 + 1)
    const xAcc = 10 / 1.0275
    const d = derivatives(10, [0, 0, 0, 0, 0, 0])
    close(d[1], xAcc)
    close(d[3], (-0.75 * xAcc) / 0.5)
    close(d[5], (-0.75 * xAcc) / 0.05)
    assert.deepEqual([d[0], d[2], d[4]], [0, 0, 0])
  })

  it('matches the hand-computed accelerations of the long pole leaning 0.07 rad with no force', () => {
    const sin1 = Math.sin(0.07)
    const cos1 = Math.cos(0.07)
    const gsin1 = -9.8 * sin1
    const fi1 = 0.75 * 0.1 * cos1 * gsin1 // ω1 = 0 and no friction term
    const mi1 = 0.1 * (1 - 0.75 * cos1 * cos1)
    const xAcc = fi1 / (mi1 + 0.0025 + 1)
    const d = derivatives(0, [0, 0, 0.07, 0, 0, 0])
    close(d[1], xAcc)
    close(d[3], (-0.75 * (xAcc * cos1 + gsin1)) / 0.5)
    assert.ok(d[3] > 0, 'the leaning pole falls further')
    close(d[5], (-0.75 * xAcc) / 0.05)
  })

  it('integrates one RK4 step as a fine Euler integration does', () => {
    const start: PoleState = [0.1, -0.2, 0.07, 0.1, -0.02, 0.3]
    let euler = start.slice() as PoleState
    const dt = 1e-6
    for (let i = 0; i < 10_000; i++) {
      const d = derivatives(3, euler)
      euler = euler.map((value, k) => value + dt * (d[k] as number)) as PoleState
    }
    const step = rk4(3, start)
    for (let k = 0; k < 6; k++) close(step[k] as number, euler[k] as number, 1e-4)
  })

  it('turns an output of 0.5 into no force, and applies two RK4 steps per decision', () => {
    const state = initialState()
    assert.deepEqual(decide(0.5, state), rk4(0, rk4(0, state)))
    assert.deepEqual(decide(1, state), rk4(10, rk4(10, state)))
    assert.deepEqual(decide(0, state), rk4(-10, rk4(-10, state)))
  })

  it('fails beyond the track or 36 degrees, on either pole', () => {
    assert.equal(failed([2.4, 0, 0, 0, 0, 0]), false)
    assert.equal(failed([2.41, 0, 0, 0, 0, 0]), true)
    assert.equal(failed([0, 0, 0.63, 0, 0, 0]), true)
    assert.equal(failed([0, 0, 0, 0, -0.63, 0]), true)
  })

  it('an uncontrolled cart drops its poles within a few seconds', () => {
    let state = initialState()
    let decisions = 0
    while (!failed(state) && decisions < 1_000) {
      state = decide(0.5, state)
      decisions++
    }
    assert.ok(decisions < 1_000, 'the long pole fell')
  })

  it('scales the inputs as the reference does, with the bias last', () => {
    const state: PoleState = [2.4, 1, 0.52, -2, 0.26, 4]
    assert.deepEqual(markovInputs(state), [0.5, 0.5, 1, -1, 0.5, 2, 0.5])
    assert.deepEqual(nonMarkovInputs(state), [0.5, 1, 0.5, 0.5])
  })

  it('has 625 distinct generalization starts spanning the reference ranges', () => {
    const starts = generalizationStarts()
    assert.equal(starts.length, 625)
    assert.equal(new Set(starts.map((s) => s.join(','))).size, 625)
    close(Math.min(...starts.map((s) => s[0])), -0.9 * 2.16)
    close(Math.max(...starts.map((s) => s[3])), 0.9 * 0.15009752)
    assert.ok(starts.every((s) => s[4] === 0 && s[5] === 0))
  })
})

describe('allocation-free double pole', () => {
  it('follows decide() bit for bit over 2,000 decisions with varying force', async () => {
    const { DoublePoleCart } = await import('./double-pole.ts')
    let reference = initialState()
    const cart = new DoublePoleCart(initialState())
    for (let step = 0; step < 2000; step++) {
      const output = 0.5 + 0.4 * Math.sin(step / 7)
      reference = decide(output, reference)
      cart.decide(output)
      assert.deepEqual(Array.from(cart.state), reference, `diverged at decision ${step}`)
      assert.equal(cart.failed(), failed(reference))
    }
  })
})
