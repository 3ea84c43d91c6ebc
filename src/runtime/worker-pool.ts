/**
 * A fixed-size pool of worker threads for CPU-bound work, on piscina (docs/adr/0006). Every thread loads
 * one ES module and runs one named export of it per task; the pool keeps exactly `threads` threads alive
 * (no idle shrinking, so a batch never waits for a thread to start) and runs one task per thread at a
 * time. `fanOut` sends the same task to several threads at once, for work that the threads share out among
 * themselves through shared memory (as NEAT's evaluator does with an atomic cursor).
 *
 * This is the runtime's one worker-thread primitive: NEAT's evaluator uses it today; task kinds and the
 * shell runner of the tasks capability will too.
 */
import { Piscina } from 'piscina'

export interface WorkerPoolInit {
  /** The module every thread loads (a file: URL; `.ts` when running from source). */
  readonly module: URL
  /** The export each task calls: `(task) => result`, possibly async. */
  readonly exportName: string
  /** Threads, ≥ 1; the pool keeps exactly this many. */
  readonly threads: number
}

export class WorkerPool<Task, Result> {
  readonly threads: number
  private readonly pool: Piscina<Task, Result>
  private closed = false

  constructor(init: WorkerPoolInit) {
    if (!Number.isInteger(init.threads) || init.threads < 1) {
      throw new RangeError(`threads must be an integer ≥ 1, got ${init.threads}`)
    }
    this.threads = init.threads
    this.pool = new Piscina<Task, Result>({
      filename: init.module.href,
      name: init.exportName,
      minThreads: init.threads,
      maxThreads: init.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    })
  }

  /** Live threads: `threads` while open, 0 once `close()` has resolved. */
  get liveThreads(): number {
    return this.pool.threads.length
  }

  run(task: Task): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'))
    return this.pool.run(task)
  }

  /** Runs `task` once on each of `count` threads (at most `threads`) at the same time. */
  fanOut(task: Task, count = this.threads): Promise<Result[]> {
    const runs = Math.max(1, Math.min(this.threads, count))
    return Promise.all(Array.from({ length: runs }, () => this.run(task)))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.destroy()
  }
}

/** A module next to `base` with the running file's extension: `.ts` from source, `.js` from dist. */
export function siblingModule(base: string, name: string): URL {
  const extension = base.endsWith('.ts') ? '.ts' : '.js'
  return new URL(`./${name}${extension}`, base)
}
