/**
 * The built-in tasks (`createTask`): XOR, CartPole, DPV and DPNV, each its fitness function, its champion
 * test where success is decided by one, and its settings over the NEAT defaults. Observation → input and
 * output → action mappings are documented in docs/formats/network.md; keep the two in step.
 */
import type { NeatConfig } from '../config.ts'
import type { FitnessFunction } from '../evaluator.ts'
import { cartPoleChampionTest, cartPoleFitness } from './cart-pole-fitness.ts'
import { DOUBLE_POLE } from './double-pole.ts'
import { dpnvChampionTest, dpnvFitness, dpvFitness } from './double-pole-fitness.ts'
import { type NeatTask, TASK_NAMES, type TaskName, type TaskOptions } from './task.ts'
import { xorFitness } from './xor.ts'

export {
  DPNV_EPISODE_STEPS,
  GENERALIZATION_REQUIRED,
  SUCCESS_STEPS,
} from './double-pole-fitness.ts'
export {
  type ChampionTestResult,
  type NeatTask,
  TASK_NAMES,
  type TaskName,
  type TaskOptions,
} from './task.ts'

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
