import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts'
import { type Evaluation, EvaluationError, InlineEvaluator } from './evaluator.ts'
import { evolve, initialState, type RunResult } from './evolution.ts'
import { runExperiment, taskConfig } from './experiment.ts'
import { createTask } from './tasks/index.ts'
import { builtInTaskFitness, WorkerPoolEvaluator } from './worker-pool-evaluator.ts'

const xor = createTask('xor')
const inline = (task = xor) => new InlineEvaluator(task.fitness, { recurrent: task.recurrent })

/** What must be identical between two runs of one seed. */
const fingerprint = (r: RunResult) => ({
  solved: r.solved,
  generations: r.generations,
  evaluations: r.evaluations,
  fitness: r.champion.fitness,
  genome: JSON.stringify(r.champion.genome),
})

describe('NEAT evolution', () => {
  it('solves XOR on every one of 10 seeds', async () => {
    const settings = {
      task: 'xor' as const,
      seed: 1,
      runs: 10,
      config: taskConfig(xor, { maxGenerations: 300 }),
    }
    const { summary, results } = await runExperiment({ settings, evaluator: inline() })
    assert.equal(summary.failures, 0)
    for (const r of results) {
      assert.equal(r.champion.metrics.solved, 1)
      assert.ok(r.hiddenNodes >= 1, 'XOR cannot be solved without a hidden node')
    }
  })

  it('gives the same champion for the same seed', async () => {
    const config = taskConfig(xor)
    const a = await evolve(initialState(xor, config, 42), { task: xor, config, evaluator: inline() })
    const b = await evolve(initialState(xor, config, 42), { task: xor, config, evaluator: inline() })
    const c = await evolve(initialState(xor, config, 43), { task: xor, config, evaluator: inline() })
    assert.deepEqual(fingerprint(a), fingerprint(b))
    assert.notDeepEqual(fingerprint(a), fingerprint(c))
  })

  it('gives the same champion inline and on 1 or 2 worker threads (DPV)', async () => {
    const dpv = createTask('dpv')
    const config = taskConfig(dpv, { maxGenerations: 8 })
    const run = async (evaluator: InlineEvaluator | WorkerPoolEvaluator) => {
      try {
        return fingerprint(await evolve(initialState(dpv, config, 5), { task: dpv, config, evaluator }))
      } finally {
        await evaluator.close()
      }
    }
    const reference = await run(inline(dpv))
    for (const workers of [1, 2]) {
      const pooled = await run(
        new WorkerPoolEvaluator({ workers, fitness: builtInTaskFitness('dpv'), recurrent: false }),
      )
      assert.deepEqual(pooled, reference, `${workers} worker(s) changed the run`)
    }
  })

  it('resumes from a checkpoint (through its JSON) exactly as if it had not stopped', async () => {
    const settings = { task: 'xor' as const, seed: 7, runs: 3, config: taskConfig(xor) }
    const uninterrupted = await runExperiment({ settings, evaluator: inline() })
    let saved: string | undefined
    let seen = 0
    const controller = new AbortController()
    await assert.rejects(
      runExperiment({
        settings,
        evaluator: inline(),
        signal: controller.signal,
        onCheckpoint: (checkpoint: Checkpoint) => {
          // stop in the middle of the second run
          if (
            checkpoint.completed.length === 1 &&
            checkpoint.current &&
            checkpoint.current.generation === 5
          ) {
            saved = encodeCheckpoint(checkpoint)
            controller.abort()
          }
          seen++
        },
      }),
      { name: 'AbortError' },
    )
    assert.ok(saved !== undefined && seen > 5)
    const checkpoint = decodeCheckpoint(saved)
    const resumed = await runExperiment({
      settings: checkpoint.settings,
      evaluator: inline(),
      resume: checkpoint,
    })
    assert.deepEqual(resumed.results.map(fingerprint), uninterrupted.results.map(fingerprint))
    assert.equal(resumed.summary.evaluations.mean, uninterrupted.summary.evaluations.mean)
  })

  it('stops with a clear error when the fitness function throws or returns NaN', async () => {
    const config = taskConfig(xor)
    const failing = (fitness: () => Evaluation) => ({ ...xor, fitness })
    const cases: [() => Evaluation, RegExp][] = [
      [
        () => {
          throw new Error('sensor unplugged')
        },
        /the fitness function threw for genome 0 of generation 0: sensor unplugged/,
      ],
      [() => ({ fitness: Number.NaN }), /genome 0 of generation 0 returned a fitness of NaN/],
      [() => ({ fitness: -1 }), /fitness of -1 \(must be finite and ≥ 0\)/],
    ]
    for (const [fitness, message] of cases) {
      const task = failing(fitness)
      await assert.rejects(
        evolve(initialState(task, config, 1), { task, config, evaluator: inline(task) }),
        (error: unknown) => error instanceof EvaluationError && message.test(error.message),
      )
    }
  })
})
