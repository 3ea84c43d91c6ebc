/**
 * Evaluates a batch on a piscina pool of worker threads (docs/adr/0006). The batch is cut into chunks —
 * by default large ones first, then ever smaller — that are dispatched at once, so a worker that drew
 * cheap genomes takes the next chunk while another is still busy and the workers finish together;
 * results are reassembled in job order.
 *
 * Workers rebuild the fitness function from a `FitnessModule` (module URL + export name + plain options),
 * so a result depends only on the genome and its context, and a run gives the same evaluations whatever
 * the number of workers.
 */
import { Piscina } from 'piscina'
import { type ChunkResult, type ChunkTask, encodeJobs, type FitnessModule } from './evaluation-worker.ts'
import { type BatchEvaluator, type Evaluation, EvaluationError, type EvaluationJob } from './evaluator.ts'
import type { TaskName, TaskOptions } from './tasks/index.ts'

export type { FitnessModule } from './evaluation-worker.ts'

export interface WorkerPoolOptions {
  /** Worker threads, ≥ 1; the pool keeps exactly this many. */
  readonly workers: number
  readonly fitness: FitnessModule
  readonly recurrent: boolean
  /** Jobs per chunk; by default guided chunks (see `GUIDED_SHARE`). */
  readonly chunkSize?: number
}

/**
 * Default chunking is guided, as in OpenMP's `schedule(guided)`: each chunk takes 1/(2·workers) of the
 * jobs not yet handed out, so the first chunks are large (few round trips) and the last ones small (the
 * workers finish together). No chunk is smaller than 1/(64·workers) of the batch. On DPNV batches with 2
 * workers (bench/neuro-parallel.ts), fixed chunks of 1/16 per worker gave a parallel efficiency of 0.85
 * (1,000 genomes) and 0.90 (5,000); see the ADR for the guided figures.
 */
const GUIDED_SHARE = 2
const SMALLEST_CHUNK_SHARE = 64

// from source (node runs the .ts files) or from dist (tsc's .js output)
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const workerUrl = new URL(`./evaluation-worker${extension}`, import.meta.url)

/** The description of a built-in task's fitness function (`taskFitness` in tasks/index.ts). */
export function builtInTaskFitness(task: TaskName, options: TaskOptions = {}): FitnessModule {
  return {
    module: new URL(`./tasks/index${extension}`, import.meta.url).href,
    export: 'taskFitness',
    options: { ...options, task },
  }
}

export class WorkerPoolEvaluator implements BatchEvaluator {
  readonly parallelism: number
  private readonly pool: Piscina<ChunkTask, ChunkResult>
  private readonly fitness: FitnessModule
  private readonly recurrent: boolean
  private readonly chunkSize: number | undefined
  private closed = false

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be an integer ≥ 1, got ${options.workers}`)
    }
    if (options.chunkSize !== undefined && (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)) {
      throw new RangeError(`chunkSize must be an integer ≥ 1, got ${options.chunkSize}`)
    }
    this.parallelism = options.workers
    this.fitness = options.fitness
    this.recurrent = options.recurrent
    this.chunkSize = options.chunkSize
    this.pool = new Piscina<ChunkTask, ChunkResult>({
      filename: workerUrl.href,
      name: 'evaluateChunk',
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Number.POSITIVE_INFINITY,
    })
  }

  /** Live worker threads: `workers` while open, 0 once `close()` has resolved. */
  get threadCount(): number {
    return this.pool.threads.length
  }

  async evaluate(jobs: readonly EvaluationJob[]): Promise<Evaluation[]> {
    if (this.closed) throw new Error('the worker pool evaluator is closed')
    if (jobs.length === 0) return []
    const chunks = this.split(jobs)
    const results = await Promise.all(
      chunks.map((chunk) => {
        const packed = encodeJobs(chunk)
        return this.pool.run(
          { fitness: this.fitness, recurrent: this.recurrent, jobs: packed },
          { transferList: [packed.buffer as ArrayBuffer] },
        )
      }),
    )
    const evaluations: Evaluation[] = []
    // every chunk has finished; report the failure earliest in job order, whichever finished first
    for (const result of results) {
      if (!result.ok) {
        throw result.kind === 'evaluation' ? new EvaluationError(result.message) : new Error(result.message)
      }
      evaluations.push(...result.evaluations)
    }
    return evaluations
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.destroy()
  }

  /** Contiguous chunks: of `chunkSize` jobs when given, else guided (shrinking) chunks. */
  private split(jobs: readonly EvaluationJob[]): EvaluationJob[][] {
    const chunks: EvaluationJob[][] = []
    const smallest = Math.max(1, Math.ceil(jobs.length / (this.parallelism * SMALLEST_CHUNK_SHARE)))
    for (let start = 0; start < jobs.length; ) {
      const left = jobs.length - start
      const size = this.chunkSize ?? Math.max(smallest, Math.ceil(left / (this.parallelism * GUIDED_SHARE)))
      chunks.push(jobs.slice(start, start + size))
      start += size
    }
    return chunks
  }
}
