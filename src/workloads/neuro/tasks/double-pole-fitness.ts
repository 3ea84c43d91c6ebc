/**
 * The double pole as NEAT tasks, with the NEAT paper's protocol (§4.3; the reference code's
 * `CartPole::evalNet` and `pole2_epoch`): DPV fitness is the number of decisions balanced, up to 100,000,
 * which solves it; DPNV fitness is Gruau et al.'s anti-oscillation fitness over 1,000 decisions, and a
 * champion solves DPNV by balancing 100,000 decisions and then 1,000 from at least 200 of the 625
 * generalization starts. Inputs are scaled as docs/formats/network.md states; the network is reset before
 * every episode.
 */
import type { FitnessFunction } from '../evaluator.ts'
import type { Network } from '../network.ts'
import { DoublePoleCart, generalizationStarts, initialState, type PoleState } from './double-pole.ts'
import type { ChampionTestResult } from './task.ts'

/** DPV and DPNV succeed by balancing this many decisions (0.02 s each, about 33 simulated minutes). */
export const SUCCESS_STEPS = 100_000
/** DPNV fitness episodes and generalization trials last this many decisions. */
export const DPNV_EPISODE_STEPS = 1_000
/** A DPNV champion must balance from at least this many of the 625 generalization starts. */
export const GENERALIZATION_REQUIRED = 200

/** DPV inputs: x/4.8, ẋ/2, θ1/0.52, θ̇1/2, θ2/0.52, θ̇2/2, bias 0.5. */
function markovInto(state: Float64Array, into: Float64Array): Float64Array {
  into[0] = (state[0] as number) / 4.8
  into[1] = (state[1] as number) / 2
  into[2] = (state[2] as number) / 0.52
  into[3] = (state[3] as number) / 2
  into[4] = (state[4] as number) / 0.52
  into[5] = (state[5] as number) / 2
  into[6] = 0.5
  return into
}

/** DPNV inputs: x/4.8, θ1/0.52, θ2/0.52, bias 0.5. */
function nonMarkovInto(state: Float64Array, into: Float64Array): Float64Array {
  into[0] = (state[0] as number) / 4.8
  into[1] = (state[2] as number) / 0.52
  into[2] = (state[4] as number) / 0.52
  into[3] = 0.5
  return into
}

/** Decisions balanced (at most `limit`) from `start`; the network's state is reset first. */
function balanceDoublePole(
  network: Network,
  start: Readonly<PoleState>,
  limit: number,
  markov: boolean,
  onStep?: (state: Float64Array, step: number) => void,
): number {
  network.reset()
  const cart = new DoublePoleCart(start)
  const inputs = new Float64Array(markov ? 7 : 4)
  for (let step = 0; step < limit; step++) {
    const observed = markov ? markovInto(cart.state, inputs) : nonMarkovInto(cart.state, inputs)
    cart.decide(network.activate(observed)[0] as number)
    if (cart.failed()) return step
    onStep?.(cart.state, step)
  }
  return limit
}

/** DPV (NEAT's protocol): fitness is the number of decisions balanced, up to 100,000, which solves it. */
export function dpvFitness(angle: number): FitnessFunction {
  return (network) => {
    const steps = balanceDoublePole(network, initialState(angle), SUCCESS_STEPS, true)
    return { fitness: steps, metrics: { steps, solved: steps >= SUCCESS_STEPS ? 1 : 0 } }
  }
}

/**
 * DPNV fitness (Gruau et al. 1996; NEAT eqs. 3–4) over 1,000 decisions: F = 0.1·t/1000 + 0.9·f2, where
 * f2 = 0.75 / Σ(|x| + |ẋ| + |θ1| + |θ̇1|) over the last 100 decisions, and 0 up to 100 decisions —
 * it rewards balancing without the oscillation that a velocity-blind controller otherwise uses.
 */
export function dpnvFitness(angle: number): FitnessFunction {
  return (network) => {
    const window = new Float64Array(100)
    const steps = balanceDoublePole(network, initialState(angle), DPNV_EPISODE_STEPS, false, (s, step) => {
      window[step % 100] =
        Math.abs(s[0] as number) +
        Math.abs(s[1] as number) +
        Math.abs(s[2] as number) +
        Math.abs(s[3] as number)
    })
    let jiggle = 0
    for (const value of window) jiggle += value
    const f1 = steps / DPNV_EPISODE_STEPS
    // the reference code adds f2 once more than 100 decisions were balanced
    const f2 = steps > 100 ? 0.75 / jiggle : 0
    return { fitness: 0.1 * f1 + 0.9 * f2, metrics: { steps } }
  }
}

/** DPNV success: 100,000 decisions from the standard start, then ≥ 200 of the 625 generalization starts. */
export function dpnvChampionTest(angle: number): (network: Network) => ChampionTestResult {
  const starts = generalizationStarts()
  return (network) => {
    const steps = balanceDoublePole(network, initialState(angle), SUCCESS_STEPS, false)
    if (steps < SUCCESS_STEPS) return { solved: false, metrics: { testSteps: steps } }
    let generalization = 0
    for (const start of starts) {
      if (balanceDoublePole(network, start, DPNV_EPISODE_STEPS, false) >= DPNV_EPISODE_STEPS) generalization++
    }
    return {
      solved: generalization >= GENERALIZATION_REQUIRED,
      metrics: { testSteps: steps, generalization },
    }
  }
}
