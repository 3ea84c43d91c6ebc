/**
 * What the population loop needs to know about a task: its fitness function, input and output counts
 * (the bias input included, last), whether networks are recurrent, its own settings, and for tasks whose
 * success is decided by a separate test (CartPole, DPNV) that champion test.
 */
import type { NeatConfig } from '../config.ts'
import type { EvaluationContext, FitnessFunction } from '../evaluator.ts'
import type { Network } from '../network.ts'

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
