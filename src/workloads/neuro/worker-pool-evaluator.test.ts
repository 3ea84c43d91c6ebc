import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import { EvaluationError, type EvaluationJob, InlineEvaluator } from './evaluator.ts'
import { type TaskName, taskFitness } from './tasks/index.ts'
import { randomGenome } from './testing/random-genomes.ts'
import { builtInTaskFitness, type FitnessModule, WorkerPoolEvaluator } from './worker-pool-evaluator.ts'

const faulty = (name: 'throwingFitness' | 'nanFitness', failAt: number): FitnessModule => ({
  module: new URL('./testing/faulty-fitness.ts', import.meta.url).href,
  export: name,
  options: { failAt },
})

function jobs(count: number, shape: { inputs: number; recurrent: boolean }, seed = 1): EvaluationJob[] {
  const random = new Random(seed)
  return Array.from({ length: count }, (_, index) => ({
    genome: randomGenome(random, { ...shape, outputs: 1, hidden: 2 }),
    context: { seed: 42, generation: 3, index },
  }))
}

async function withPool<T>(
  options: ConstructorParameters<typeof WorkerPoolEvaluator>[0],
  use: (pool: WorkerPoolEvaluator) => Promise<T>,
): Promise<T> {
  const pool = new WorkerPoolEvaluator(options)
  try {
    return await use(pool)
  } finally {
    await pool.close()
  }
}

describe('WorkerPoolEvaluator', () => {
  const cases: { task: TaskName; inputs: number; recurrent: boolean }[] = [
    { task: 'xor', inputs: 3, recurrent: false },
    { task: 'dpnv', inputs: 4, recurrent: true },
  ]
  for (const { task, inputs, recurrent } of cases) {
    for (const workers of [1, 2]) {
      it(`gives the inline evaluations on ${task} with ${workers} worker(s)`, async () => {
        const batch = jobs(40, { inputs, recurrent })
        const inline = await new InlineEvaluator(taskFitness({ task }), { recurrent }).evaluate(batch)
        const pooled = await withPool({ workers, fitness: builtInTaskFitness(task), recurrent }, (pool) =>
          pool.evaluate(batch),
        )
        assert.deepEqual(pooled, inline)
      })
    }
  }

  it('returns results in job order, every job evaluated once, with 1 to 3 workers', async () => {
    const batch = jobs(57, { inputs: 3, recurrent: false })
    const expected = batch.map((_, index) => index)
    for (const workers of [1, 2, 3]) {
      await withPool({ workers, fitness: faulty('throwingFitness', -1), recurrent: false }, async (pool) => {
        for (let round = 0; round < 3; round++) {
          assert.deepEqual(
            (await pool.evaluate(batch)).map((e) => e.fitness),
            expected,
          )
        }
        assert.deepEqual(await pool.evaluate(batch.slice(0, 1)), [{ fitness: 0 }])
        assert.deepEqual(await pool.evaluate([]), [])
      })
    }
  })

  it('reports the earliest failing genome when several fail', async () => {
    const batch = jobs(40, { inputs: 3, recurrent: false })
    const fitness = {
      module: new URL('./testing/faulty-fitness.ts', import.meta.url).href,
      export: 'throwingFitnessFrom',
      options: { failAt: 11 },
    }
    await withPool({ workers: 2, fitness, recurrent: false }, async (pool) => {
      await assert.rejects(pool.evaluate(batch), /genome 11 of generation 3/)
    })
  })

  it('rejects with an EvaluationError naming the genome when a fitness throws in a worker', async () => {
    const batch = jobs(20, { inputs: 3, recurrent: false })
    await withPool({ workers: 2, fitness: faulty('throwingFitness', 13), recurrent: false }, async (pool) => {
      await assert.rejects(pool.evaluate(batch), (error: unknown) => {
        assert.ok(error instanceof EvaluationError)
        assert.match(error.message, /genome 13 of generation 3/)
        assert.match(error.message, /the pole fell through the floor/)
        return true
      })
      // the pool survives a failed batch
      assert.equal((await pool.evaluate(batch.slice(0, 13))).length, 13)
    })
  })

  it('rejects with an EvaluationError naming the genome when a fitness returns NaN in a worker', async () => {
    const batch = jobs(20, { inputs: 3, recurrent: false })
    await withPool({ workers: 2, fitness: faulty('nanFitness', 7), recurrent: false }, async (pool) => {
      await assert.rejects(pool.evaluate(batch), (error: unknown) => {
        assert.ok(error instanceof EvaluationError)
        assert.match(error.message, /genome 7 of generation 3 returned a fitness of NaN/)
        return true
      })
    })
  })

  it('says so when the fitness module has no such export', async () => {
    const fitness = { ...faulty('nanFitness', -1), export: 'noSuchFitness' }
    await withPool({ workers: 1, fitness, recurrent: false }, async (pool) => {
      await assert.rejects(
        pool.evaluate(jobs(2, { inputs: 3, recurrent: false })),
        /no exported function 'noSuchFitness'/,
      )
    })
  })

  it('keeps exactly `workers` threads and none after close()', async () => {
    const pool = new WorkerPoolEvaluator({ workers: 2, fitness: builtInTaskFitness('xor'), recurrent: false })
    assert.equal(pool.parallelism, 2)
    await pool.evaluate(jobs(8, { inputs: 3, recurrent: false }))
    assert.equal(pool.threadCount, 2)
    await pool.close()
    assert.equal(pool.threadCount, 0)
    await assert.rejects(pool.evaluate([]), /closed/)
  })

  it('rejects a worker count below 1', () => {
    const fitness = builtInTaskFitness('xor')
    assert.throws(() => new WorkerPoolEvaluator({ workers: 0, fitness, recurrent: false }), RangeError)
    assert.throws(() => new WorkerPoolEvaluator({ workers: 1.5, fitness, recurrent: false }), RangeError)
  })
})
