/**
 * CartPole as a NEAT task: the fitness is the mean number of steps over 10 episodes whose start states
 * are the same for every genome of a generation (drawn from the context's seed); a champion solves it as
 * Gym defines CartPole-v1 solved, a mean of at least 475 steps over 100 fresh episodes.
 */
import { Random } from '../../../kernel/index.ts'
import type { Evaluation, EvaluationContext } from '../evaluator.ts'
import type { Network } from '../network.ts'
import { balanceCartPole, type CartPoleState, cartPoleStart } from './cart-pole.ts'
import type { ChampionTestResult } from './task.ts'

/** CartPole-v1 is solved by a mean of at least 475 steps over 100 episodes. */
const CARTPOLE_SOLVED_MEAN = 475
const CARTPOLE_FITNESS_EPISODES = 10
const CARTPOLE_TEST_EPISODES = 100

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
export function cartPoleFitness(network: Network, context: EvaluationContext): Evaluation {
  const mean = cartPoleEpisodes(network, context.seed, CARTPOLE_FITNESS_EPISODES)
  return { fitness: mean, metrics: { meanSteps: mean } }
}

/** Solved as Gym defines it: a mean of at least 475 steps over 100 fresh episodes. */
export function cartPoleChampionTest(network: Network, context: EvaluationContext): ChampionTestResult {
  const mean = cartPoleEpisodes(network, context.seed ^ 0x5eed, CARTPOLE_TEST_EPISODES)
  return { solved: mean >= CARTPOLE_SOLVED_MEAN, metrics: { testMeanSteps: mean } }
}
