import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../../kernel/index.ts'
import { balanceCartPole, CART_POLE, cartPoleFailed, cartPoleStart, cartPoleStep } from './cart-pole.ts'

describe('single pole cart', () => {
  it('matches a hand-computed Euler step from rest pushed right', () => {
    // θ = 0: temp = 10 / 1.1; θ̈ = −temp / (0.5 · (4/3 − 0.1/1.1)); ẍ = temp − 0.05 · θ̈ / 1.1
    const temp = 10 / 1.1
    const thetaAcc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1))
    const xAcc = temp - (0.05 * thetaAcc) / 1.1
    const next = cartPoleStep([0, 0, 0, 0], true)
    assert.deepEqual(next, [0, 0.02 * xAcc, 0, 0.02 * thetaAcc])
  })

  it('fails beyond 12 degrees or the end of the track', () => {
    assert.equal(cartPoleFailed([0, 0, 0.2, 0]), false)
    assert.equal(cartPoleFailed([0, 0, 0.21, 0]), true)
    assert.equal(cartPoleFailed([-2.41, 0, 0, 0]), true)
  })

  it('a policy that pushes toward the lean balances far longer than one that always pushes right', () => {
    const start = cartPoleStart(new Random(1))
    const always = balanceCartPole(() => true, start)
    const lean = balanceCartPole(([, , theta, thetaDot]) => theta + 0.5 * thetaDot > 0, start)
    assert.ok(always < 50, `always right fell after ${always} steps`)
    assert.equal(lean, CART_POLE.maxSteps)
  })

  it('draws starts within ±0.05, reproducibly from the seed', () => {
    const a = cartPoleStart(new Random(7))
    assert.deepEqual(a, cartPoleStart(new Random(7)))
    assert.ok(a.every((value) => Math.abs(value) <= 0.05))
  })
})
