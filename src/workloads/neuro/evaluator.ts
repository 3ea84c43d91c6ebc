/**
 * The evaluator contract: how a population's genomes get their fitness. The population loop hands a
 * batch of jobs to a `BatchEvaluator` and awaits the results in job order; it does not care whether they
 * are computed inline, on a worker-thread pool, or (later) on other nodes.
 *
 * A task supplies a `FitnessFunction`: `evaluate(network, context) → {fitness, metrics?}`, sync or async.
 * Its result may depend only on the network and the context (never on which thread or node runs it), so
 * a run is reproducible whatever the number of workers.
 */
import type { Genome } from './genome.ts'
import { compileNetwork, type Network } from './network.ts'

export interface Evaluation {
  /** Higher is better; finite and ≥ 0 (fitness sharing divides it among a species). */
  readonly fitness: number
  /** Task-specific figures; `solved` = 1 marks a genome that solves the task. */
  readonly metrics?: Readonly<Record<string, number>>
}

export interface EvaluationContext {
  /** Derived from the run's seed and the generation: the same for every genome of a generation. */
  readonly seed: number
  readonly generation: number
  /** The genome's position in the batch. */
  readonly index: number
}

export type FitnessFunction = (
  network: Network,
  context: EvaluationContext,
) => Evaluation | Promise<Evaluation>

export interface EvaluationJob {
  readonly genome: Genome
  readonly context: EvaluationContext
}

export interface BatchEvaluator {
  /** How many evaluations run at once (1 for inline). */
  readonly parallelism: number
  /** The evaluations of `jobs`, in the same order. Rejects with an `EvaluationError` on a bad fitness. */
  evaluate(jobs: readonly EvaluationJob[]): Promise<Evaluation[]>
  close(): Promise<void>
}

/** A fitness function threw, or returned something that is not a finite, non-negative fitness. */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError'
}

/** The checked evaluation, or an `EvaluationError` naming the genome and what was wrong. */
export function checkEvaluation(value: unknown, context: EvaluationContext): Evaluation {
  const where = `the fitness function for genome ${context.index} of generation ${context.generation}`
  if (typeof value !== 'object' || value === null) {
    throw new EvaluationError(`${where} returned ${String(value)} instead of {fitness, metrics?}`)
  }
  const { fitness, metrics } = value as { fitness?: unknown; metrics?: unknown }
  if (typeof fitness !== 'number' || Number.isNaN(fitness)) {
    throw new EvaluationError(`${where} returned a fitness of ${String(fitness)} (not a number)`)
  }
  if (!Number.isFinite(fitness) || fitness < 0) {
    throw new EvaluationError(`${where} returned a fitness of ${fitness} (must be finite and ≥ 0)`)
  }
  if (metrics === undefined) return { fitness }
  if (typeof metrics !== 'object' || metrics === null) {
    throw new EvaluationError(`${where} returned metrics that are not an object`)
  }
  for (const [key, metric] of Object.entries(metrics)) {
    if (typeof metric !== 'number')
      throw new EvaluationError(`${where} returned a non-numeric metric '${key}'`)
  }
  return { fitness, metrics: metrics as Record<string, number> }
}

/** Compiles and evaluates one job, turning a throw into an `EvaluationError` that names the genome. */
export async function evaluateJob(
  fitness: FitnessFunction,
  job: EvaluationJob,
  recurrent: boolean,
): Promise<Evaluation> {
  let result: unknown
  try {
    result = await fitness(compileNetwork(job.genome, { recurrent }), job.context)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new EvaluationError(
      `the fitness function threw for genome ${job.context.index} of generation ${job.context.generation}: ${message}`,
    )
  }
  return checkEvaluation(result, job.context)
}

/** Evaluates on the calling thread, one job after another. */
export class InlineEvaluator implements BatchEvaluator {
  readonly parallelism = 1
  private readonly fitness: FitnessFunction
  private readonly recurrent: boolean

  constructor(fitness: FitnessFunction, options: { readonly recurrent: boolean }) {
    this.fitness = fitness
    this.recurrent = options.recurrent
  }

  async evaluate(jobs: readonly EvaluationJob[]): Promise<Evaluation[]> {
    const results: Evaluation[] = []
    for (const job of jobs) results.push(await evaluateJob(this.fitness, job, this.recurrent))
    return results
  }

  async close(): Promise<void> {}
}
