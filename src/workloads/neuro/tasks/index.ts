/**
 * The built-in tasks, each a fitness function plus what the population needs to know about it: input and
 * output counts (the bias input included, last), whether networks are recurrent, the paper's settings
 * for it, and for the pole tasks the champion test that decides success. Observation → input and output
 * → action mappings are documented in docs/formats/network.md; keep the two in step.
 */
import { Random } from '../../../kernel/index.ts'
import type { NeatConfig } from '../config.ts'
import type { Evaluation, EvaluationContext, FitnessFunction } from '../evaluator.ts'
import type { Network } from '../network.ts'
import { balanceCartPole, type CartPoleState, cartPoleStart } from './cart-pole.ts'
import {
  DOUBLE_POLE,
  DoublePoleCart,
  generalizationStarts,
  initialState,
  type PoleState,
} from './double-pole.ts'
import { scoreXor } from './xor.ts'

export const TASK_NAMES = ['xor', 'cartpole', 'dpv', 'dpnv'] as const
export type TaskName = (typeof TASK_NAMES)[number]

export interface TaskOptions {
  /** Long-pole start angle for dpv and dpnv, rad (default 0.07, as in the reference code). */
  readonly initialAngle?: number
}

export interface ChampionTestResult {
  readonly solved: boolean
  readonly metrics: Readonly<Record<string, number>>
}

export interface NeatTask {
  readonly name: TaskName
  /** Input count including the bias input, which comes last. */
  readonly inputs: number
  readonly outputs: number
  readonly recurrent: boolean
  readonly fitness: FitnessFunction
  /**
   * Run on each generation's champion; the run is solved when it passes. Tasks without one are solved
   * by any genome whose evaluation has `metrics.solved === 1`.
   */
  readonly championTest?: (network: Network, context: EvaluationContext) => ChampionTestResult
  /**
   * This task's settings over the NEAT defaults: the paper's population and compatibility for it, and
   * Meshwork's tuned rates (docs/neuroevolution.md lists them with the measurements that chose them).
   * User settings override these.
   */
  readonly settings: Partial<NeatConfig>
  /** Reported with every pole result. */
  readonly initialAngleRad?: number
}

/** DPV and DPNV succeed by balancing this many decisions (0.02 s each, about 33 simulated minutes). */
export const SUCCESS_STEPS = 100_000
/** DPNV fitness episodes and generalization trials last this many decisions. */
export const DPNV_EPISODE_STEPS = 1_000
/** A DPNV champion must balance from at least this many of the 625 generalization starts. */
export const GENERALIZATION_REQUIRED = 200
/** CartPole-v1 is solved by a mean of at least 475 steps over 100 episodes. */
const CARTPOLE_SOLVED_MEAN = 475
const CARTPOLE_FITNESS_EPISODES = 10
const CARTPOLE_TEST_EPISODES = 100

/**
 * XOR: a smaller population than the paper's 150, stronger weight steps (σ = 2, close to the reference
 * code's uniform ±2.5) and more new connections — a solution needs both inputs wired into a hidden node.
 */
const XOR_SETTINGS: Partial<NeatConfig> = Object.freeze({
  population: 100,
  addConnectionRate: 0.3,
  weightPerturbPower: 2,
  weightMutationRate: 0.9,
  mutationOnlyRate: 0.5,
})

/** DPV: the paper's population; a weight mutation changes a third of the weights (fine tuning). */
const DPV_SETTINGS: Partial<NeatConfig> = Object.freeze({ weightMutationShare: 0.3 })

/**
 * DPNV: the paper's compatibility for it (c3 = 3, δt = 4), but 200 genomes instead of 1,000 and new
 * connections at 0.1 instead of 0.3: measured over seeds 1–40, a smaller population needs fewer
 * evaluations and fewer new links keep networks small while the recurrent loop is tuned.
 */
const DPNV_SETTINGS: Partial<NeatConfig> = Object.freeze({
  population: 200,
  c3: 3,
  threshold: 4,
  addConnectionRate: 0.1,
})

export function createTask(name: TaskName, options: TaskOptions = {}): NeatTask {
  const angle = options.initialAngle ?? DOUBLE_POLE.defaultInitialAngle
  if (!Number.isFinite(angle) || Math.abs(angle) >= DOUBLE_POLE.failureAngle) {
    throw new RangeError(`initial angle must be a finite number of radians inside ±0.628329, got ${angle}`)
  }
  switch (name) {
    case 'xor':
      return {
        name,
        inputs: 3,
        outputs: 1,
        recurrent: false,
        fitness: xorFitness,
        settings: XOR_SETTINGS,
      }
    case 'cartpole':
      return {
        name,
        inputs: 5,
        outputs: 1,
        recurrent: false,
        fitness: cartPoleFitness,
        championTest: cartPoleChampionTest,
        settings: {},
      }
    case 'dpv':
      return {
        name,
        inputs: 7,
        outputs: 1,
        recurrent: false,
        fitness: dpvFitness(angle),
        settings: DPV_SETTINGS,
        initialAngleRad: angle,
      }
    case 'dpnv':
      return {
        name,
        inputs: 4,
        outputs: 1,
        recurrent: true,
        fitness: dpnvFitness(angle),
        championTest: dpnvChampionTest(angle),
        settings: DPNV_SETTINGS,
        initialAngleRad: angle,
      }
    default:
      throw new RangeError(`unknown task '${String(name)}' (known: ${TASK_NAMES.join(', ')})`)
  }
}

/** The fitness function of a built-in task; worker threads rebuild it from these plain options. */
export function taskFitness(options: { readonly task: TaskName } & TaskOptions): FitnessFunction {
  return createTask(options.task, options).fitness
}

export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name)
}

function xorFitness(network: Network): Evaluation {
  const score = scoreXor((inputs) => network.activate(inputs)[0] as number)
  return { fitness: score.fitness, metrics: { solved: score.solved ? 1 : 0, errorSum: score.errorSum } }
}

/** CartPole inputs: x/4.8, ẋ/2, θ/0.52, θ̇/2, bias 0.5 (the double pole's scalings); output > 0.5 pushes right. */
function cartPoleInputs(state: CartPoleState, into: Float64Array): Float64Array {
  into[0] = state[0] / 4.8
  into[1] = state[1] / 2
  into[2] = state[2] / 0.52
  into[3] = state[3] / 2
  into[4] = 0.5
  return into
}

function cartPoleEpisodes(network: Network, seed: number, episodes: number): number {
  const random = new Random(seed)
  const inputs = new Float64Array(5)
  let total = 0
  for (let episode = 0; episode < episodes; episode++) {
    network.reset()
    total += balanceCartPole(
      (state) => (network.activate(cartPoleInputs(state, inputs))[0] as number) > 0.5,
      cartPoleStart(random),
    )
  }
  return total / episodes
}

/** Mean steps over 10 episodes whose starts are the same for every genome of a generation. */
function cartPoleFitness(network: Network, context: EvaluationContext): Evaluation {
  const mean = cartPoleEpisodes(network, context.seed, CARTPOLE_FITNESS_EPISODES)
  return { fitness: mean, metrics: { meanSteps: mean } }
}

/** Solved as Gym defines it: a mean of at least 475 steps over 100 fresh episodes. */
function cartPoleChampionTest(network: Network, context: EvaluationContext): ChampionTestResult {
  const mean = cartPoleEpisodes(network, context.seed ^ 0x5eed, CARTPOLE_TEST_EPISODES)
  return { solved: mean >= CARTPOLE_SOLVED_MEAN, metrics: { testMeanSteps: mean } }
}

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
function dpvFitness(angle: number): FitnessFunction {
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
function dpnvFitness(angle: number): FitnessFunction {
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
function dpnvChampionTest(angle: number): (network: Network) => ChampionTestResult {
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
