/**
 * Evaluates a batch on the runtime's worker-thread pool (`src/runtime/`, piscina, docs/adr/0006). The
 * batch is packed once into shared memory and every worker claims jobs from it one at a time with an
 * atomic cursor, so a worker that drew cheap genomes simply claims more, the workers finish together, and
 * the main thread sends one message per worker per batch; results are reassembled in job order.
 *
 * Workers rebuild the fitness function from a `FitnessModule` (module URL + export name + plain options),
 * so a result depends only on the genome and its context, and a run gives the same evaluations whatever
 * the number of workers.
 */
import { siblingModule, WorkerPool } from '../../runtime/index.ts'
import { type FitnessModule, packBatch, type SharedResult, type SharedTask } from './evaluation-worker.ts'
import { type BatchEvaluator, type Evaluation, EvaluationError, type EvaluationJob } from './evaluator.ts'
import type { TaskName, TaskOptions } from './tasks/index.ts'

export type { FitnessModule } from './evaluation-worker.ts'

export interface WorkerPoolOptions {
  /** Worker threads, ≥ 1; the pool keeps exactly this many. */
  readonly workers: number
  readonly fitness: FitnessModule
  readonly recurrent: boolean
}

/** The description of a built-in task's fitness function (`taskFitness` in tasks/index.ts). */
export function builtInTaskFitness(task: TaskName, options: TaskOptions = {}): FitnessModule {
  return {
    module: siblingModule(import.meta.url, 'tasks/index').href,
    export: 'taskFitness',
    options: { ...options, task },
  }
}

export class WorkerPoolEvaluator implements BatchEvaluator {
  readonly parallelism: number
  private readonly pool: WorkerPool<SharedTask, SharedResult>
  private readonly fitness: FitnessModule
  private readonly recurrent: boolean
  private closed = false

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be an integer ≥ 1, got ${options.workers}`)
    }
    this.parallelism = options.workers
    this.fitness = options.fitness
    this.recurrent = options.recurrent
    this.pool = new WorkerPool({
      module: siblingModule(import.meta.url, 'evaluation-worker'),
      exportName: 'evaluateShared',
      threads: options.workers,
    })
  }

  /** Live worker threads: `workers` while open, 0 once `close()` has resolved. */
  get threadCount(): number {
    return this.pool.liveThreads
  }

  async evaluate(jobs: readonly EvaluationJob[]): Promise<Evaluation[]> {
    if (this.closed) throw new Error('the worker pool evaluator is closed')
    if (jobs.length === 0) return []
    const task: SharedTask = { ...packBatch(jobs), fitness: this.fitness, recurrent: this.recurrent }
    // one task per worker (a pool never runs two at once on one thread); each claims jobs until none is left
    const results = await this.pool.fanOut(task, jobs.length)
    let failure: Extract<SharedResult, { ok: false }> | undefined
    const evaluations: Evaluation[] = new Array(jobs.length)
    for (const result of results) {
      if (!result.ok) {
        if (failure === undefined || result.index < failure.index) failure = result
        continue
      }
      result.indices.forEach((index, k) => {
        evaluations[index] = result.evaluations[k] as Evaluation
      })
    }
    // the earliest failure in job order, whichever worker met it
    if (failure !== undefined) {
      throw failure.kind === 'evaluation' ? new EvaluationError(failure.message) : new Error(failure.message)
    }
    return evaluations
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.close()
  }
}
