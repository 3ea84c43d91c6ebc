/**
 * The single pole on a cart, as OpenAI Gym's `CartPole-v1` defines it (`cartpole.py`, after Barto, Sutton
 * & Anderson 1983): Euler integration with τ = 0.02 s, a bang-bang force of ±10 N, failure beyond 12° or
 * ±2.4 m, episodes truncated at 500 steps, starts drawn uniformly from ±0.05 in every variable.
 */
import type { Random } from '../../../kernel/index.ts'

export const CART_POLE = Object.freeze({
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** Half the pole's length, m. */
  halfLength: 0.5,
  forceMag: 10.0,
  tau: 0.02,
  /** 12 degrees. */
  failureAngle: (12 * 2 * Math.PI) / 360,
  trackLimit: 2.4,
  maxSteps: 500,
})

/** [x, ẋ, θ, θ̇]. */
export type CartPoleState = [number, number, number, number]

export function cartPoleStart(random: Random): CartPoleState {
  return [
    random.floatBetween(-0.05, 0.05),
    random.floatBetween(-0.05, 0.05),
    random.floatBetween(-0.05, 0.05),
    random.floatBetween(-0.05, 0.05),
  ]
}

/** One Euler step of τ with the force pushing right (`push` true) or left. */
export function cartPoleStep(state: CartPoleState, push: boolean): CartPoleState {
  const c = CART_POLE
  const [x, xDot, theta, thetaDot] = state
  const force = push ? c.forceMag : -c.forceMag
  const cos = Math.cos(theta)
  const sin = Math.sin(theta)
  const totalMass = c.massCart + c.massPole
  const poleMassLength = c.massPole * c.halfLength
  const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass
  const thetaAcc =
    (c.gravity * sin - cos * temp) / (c.halfLength * (4 / 3 - (c.massPole * cos * cos) / totalMass))
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass
  return [x + c.tau * xDot, xDot + c.tau * xAcc, theta + c.tau * thetaDot, thetaDot + c.tau * thetaAcc]
}

export function cartPoleFailed(state: CartPoleState): boolean {
  return Math.abs(state[0]) > CART_POLE.trackLimit || Math.abs(state[2]) > CART_POLE.failureAngle
}

/** Steps balanced (at most `maxSteps`) by a policy that maps the state to "push right?". */
export function balanceCartPole(policy: (state: CartPoleState) => boolean, start: CartPoleState): number {
  let state = start
  for (let step = 0; step < CART_POLE.maxSteps; step++) {
    state = cartPoleStep(state, policy(state))
    if (cartPoleFailed(state)) return step + 1
  }
  return CART_POLE.maxSteps
}
