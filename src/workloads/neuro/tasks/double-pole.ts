/**
 * The double pole on a cart, exactly as the NEAT paper's experiments ran it (Stanley & Miikkulainen 2002
 * §4.3.1, after Wieland 1991 and Gomez & Miikkulainen 1999): the constants, equations and step of the
 * reference C++ `CartPole` class (`experiments.cpp`, with identical constants in farsa and evorobotpy),
 * pinned here and by tests (shared/reference/neuroevolution.md §3).
 *
 * - Fourth-order Runge–Kutta with TAU = 0.01 s, called twice per network decision (0.02 s).
 * - Force = (output − 0.5) × 20 N, so a sigmoid output of 0.5 pushes with no force.
 * - Failure: |x| > 2.4 m, or either pole beyond 36° (0.628329 rad).
 * - The long pole's initial angle is a parameter (default 0.07 rad, as the reference code sets it
 *   despite its "one_degree" comment; the paper says 1°). Results must report it.
 *
 * Departure: none in the physics. `MUC` (cart friction) appears in some copies of the code but not in
 * its equations, so it is omitted here too.
 */

export const DOUBLE_POLE = Object.freeze({
  /** Pole hinge friction. */
  mup: 0.000002,
  /** Negative, as in the reference code. */
  gravity: -9.8,
  massCart: 1.0,
  massPole1: 0.1,
  /** Half-length of the long pole, m. */
  length1: 0.5,
  massPole2: 0.01,
  /** Half-length of the short pole, m. */
  length2: 0.05,
  forceMag: 10.0,
  /** RK4 step, s; two steps per decision. */
  tau: 0.01,
  stepsPerDecision: 2,
  failureAngle: 0.628329,
  trackLimit: 2.4,
  defaultInitialAngle: 0.07,
})

/** [x, ẋ, θ1, θ̇1, θ2, θ̇2] in metres, m/s, radians and rad/s. */
export type PoleState = [number, number, number, number, number, number]

export function initialState(longPoleAngle: number = DOUBLE_POLE.defaultInitialAngle): PoleState {
  return [0, 0, longPoleAngle, 0, 0, 0]
}

/** The derivatives of `state` under `force` (the reference code's `step`; computed by `derivativesInto`). */
export function derivatives(force: number, state: PoleState): PoleState {
  const out = new Float64Array(6)
  derivativesInto(force, Float64Array.from(state), out, 0)
  return Array.from(out) as PoleState
}

/** One classic RK4 step of `tau` seconds. */
export function rk4(force: number, state: PoleState, tau: number = DOUBLE_POLE.tau): PoleState {
  const half = tau / 2
  const k1 = derivatives(force, state)
  const k2 = derivatives(force, add(state, k1, half))
  const k3 = derivatives(force, add(state, k2, half))
  const k4 = derivatives(force, add(state, k3, tau))
  const next = state.slice() as PoleState
  for (let i = 0; i < 6; i++) {
    next[i] =
      (state[i] as number) +
      (tau / 6) * ((k1[i] as number) + 2 * (k2[i] as number) + 2 * (k3[i] as number) + (k4[i] as number))
  }
  return next
}

function add(state: PoleState, slope: PoleState, dt: number): PoleState {
  const out = state.slice() as PoleState
  for (let i = 0; i < 6; i++) out[i] = (state[i] as number) + dt * (slope[i] as number)
  return out
}

/** Applies one network output in [0, 1] for one decision (two RK4 steps). */
export function decide(output: number, state: PoleState): PoleState {
  const force = (output - 0.5) * DOUBLE_POLE.forceMag * 2
  let next = state
  for (let i = 0; i < DOUBLE_POLE.stepsPerDecision; i++) next = rk4(force, next)
  return next
}

export function failed(state: PoleState): boolean {
  const c = DOUBLE_POLE
  return (
    Math.abs(state[0]) > c.trackLimit ||
    Math.abs(state[2]) > c.failureAngle ||
    Math.abs(state[4]) > c.failureAngle
  )
}

/** Network inputs with velocities (DPV): x/4.8, ẋ/2, θ1/0.52, θ̇1/2, θ2/0.52, θ̇2/2, then the bias 0.5. */
export function markovInputs(state: PoleState): number[] {
  return [state[0] / 4.8, state[1] / 2, state[2] / 0.52, state[3] / 2, state[4] / 0.52, state[5] / 2, 0.5]
}

/** Network inputs without velocities (DPNV): x/4.8, θ1/0.52, θ2/0.52, then the bias 0.5. */
export function nonMarkovInputs(state: PoleState): number[] {
  return [state[0] / 4.8, state[2] / 0.52, state[4] / 0.52, 0.5]
}

/**
 * The 625 start states of the DPNV generalization test (Gruau et al. 1996): x, ẋ, θ1 and θ̇1 each take
 * 0.05, 0.25, 0.5, 0.75 and 0.95 of their range, mapped onto [−limit, limit]; the short pole starts
 * upright and still. Limits as in the reference code: x ±2.16 m, ẋ ±1.35 m/s, θ1 ±0.06283152 rad (3.6°),
 * θ̇1 ±0.15009752 rad/s (8.6°/s).
 */
export const GENERALIZATION_LIMITS = Object.freeze({
  x: 2.16,
  xDot: 1.35,
  theta1: 0.06283152,
  theta1Dot: 0.15009752,
})

export function generalizationStarts(): PoleState[] {
  const fractions = [0.05, 0.25, 0.5, 0.75, 0.95]
  const scale = (fraction: number, limit: number): number => fraction * 2 * limit - limit
  const starts: PoleState[] = []
  for (const a of fractions) {
    for (const b of fractions) {
      for (const c of fractions) {
        for (const d of fractions) {
          const limits = GENERALIZATION_LIMITS
          starts.push([
            scale(a, limits.x),
            scale(b, limits.xDot),
            scale(c, limits.theta1),
            scale(d, limits.theta1Dot),
            0,
            0,
          ])
        }
      }
    }
  }
  return starts
}

/**
 * The same physics without allocation, for the fitness loops (a DPV success is 200,000 RK4 steps): the
 * state lives in one Float64Array and `decide` advances it in place. Tests pin it to `decide()` above.
 */
export class DoublePoleCart {
  readonly state = new Float64Array(6)
  private readonly k = new Float64Array(24)
  private readonly scratch = new Float64Array(6)

  constructor(start: Readonly<PoleState>) {
    this.state.set(start)
  }

  reset(start: Readonly<PoleState>): void {
    this.state.set(start)
  }

  /** One network output in [0, 1] → two RK4 steps. */
  decide(output: number): void {
    const force = (output - 0.5) * DOUBLE_POLE.forceMag * 2
    for (let i = 0; i < DOUBLE_POLE.stepsPerDecision; i++) this.rk4(force)
  }

  failed(): boolean {
    const s = this.state
    const c = DOUBLE_POLE
    return (
      Math.abs(s[0] as number) > c.trackLimit ||
      Math.abs(s[2] as number) > c.failureAngle ||
      Math.abs(s[4] as number) > c.failureAngle
    )
  }

  private rk4(force: number): void {
    const tau = DOUBLE_POLE.tau
    const half = tau / 2
    const { state, k, scratch } = this
    derivativesInto(force, state, k, 0)
    for (let i = 0; i < 6; i++) scratch[i] = (state[i] as number) + half * (k[i] as number)
    derivativesInto(force, scratch, k, 6)
    for (let i = 0; i < 6; i++) scratch[i] = (state[i] as number) + half * (k[6 + i] as number)
    derivativesInto(force, scratch, k, 12)
    for (let i = 0; i < 6; i++) scratch[i] = (state[i] as number) + tau * (k[12 + i] as number)
    derivativesInto(force, scratch, k, 18)
    for (let i = 0; i < 6; i++) {
      state[i] =
        (state[i] as number) +
        (tau / 6) *
          ((k[i] as number) + 2 * (k[6 + i] as number) + 2 * (k[12 + i] as number) + (k[18 + i] as number))
    }
  }
}

/** The derivatives of `state` under `force`, written into `out[at .. at + 6)` (no allocation). */
function derivativesInto(force: number, state: Float64Array, out: Float64Array, at: number): void {
  const c = DOUBLE_POLE
  const theta1 = state[2] as number
  const omega1 = state[3] as number
  const theta2 = state[4] as number
  const omega2 = state[5] as number
  const cos1 = Math.cos(theta1)
  const sin1 = Math.sin(theta1)
  const gsin1 = c.gravity * sin1
  const cos2 = Math.cos(theta2)
  const sin2 = Math.sin(theta2)
  const gsin2 = c.gravity * sin2
  const ml1 = c.length1 * c.massPole1
  const ml2 = c.length2 * c.massPole2
  const temp1 = (c.mup * omega1) / ml1
  const temp2 = (c.mup * omega2) / ml2
  const fi1 = ml1 * omega1 * omega1 * sin1 + 0.75 * c.massPole1 * cos1 * (temp1 + gsin1)
  const fi2 = ml2 * omega2 * omega2 * sin2 + 0.75 * c.massPole2 * cos2 * (temp2 + gsin2)
  const mi1 = c.massPole1 * (1 - 0.75 * cos1 * cos1)
  const mi2 = c.massPole2 * (1 - 0.75 * cos2 * cos2)
  const xAcc = (force + fi1 + fi2) / (mi1 + mi2 + c.massCart)
  out[at] = state[1] as number
  out[at + 1] = xAcc
  out[at + 2] = omega1
  out[at + 3] = (-0.75 * (xAcc * cos1 + gsin1 + temp1)) / c.length1
  out[at + 4] = omega2
  out[at + 5] = (-0.75 * (xAcc * cos2 + gsin2 + temp2)) / c.length2
}
