/**
 * The speciation ablation of the NEAT paper's Table 3 as a regression oracle: if turning speciation off
 * does not hurt, speciation is broken. Measured on XOR, where a solution needs new structure that has to
 * survive its first, untuned generations — what speciation protects.
 *
 * On DPV this engine does not reproduce the paper's direction: a linear controller solves it, so there
 * is no structure to protect, and without speciation the single population tunes weights faster (see
 * docs/neuroevolution.md and `node bench/neuro-tasks.ts --ablation`).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InlineEvaluator } from '../src/workloads/neuro/evaluator.ts'
import { runExperiment, taskConfig } from '../src/workloads/neuro/experiment.ts'
import { createTask } from '../src/workloads/neuro/tasks/index.ts'

const CAP = 300

async function meanCost(speciation: boolean): Promise<{ mean: number; failures: number }> {
  const task = createTask('xor')
  const config = taskConfig(task, { speciation, maxGenerations: CAP })
  const { results } = await runExperiment({
    settings: { task: 'xor', seed: 1, runs: 20, config },
    evaluator: new InlineEvaluator(task.fitness, { recurrent: false }),
  })
  // a failed run costs what it spent: the whole generation cap
  const total = results.reduce((sum, r) => sum + r.evaluations, 0)
  return { mean: total / results.length, failures: results.filter((r) => !r.solved).length }
}

describe('NEAT ablation (Table 3)', () => {
  it('turning speciation off makes XOR need more evaluations over 20 seeds', async () => {
    const withSpeciation = await meanCost(true)
    const without = await meanCost(false)
    assert.equal(withSpeciation.failures, 0)
    assert.ok(
      without.mean > 1.5 * withSpeciation.mean,
      `speciation off: ${without.mean} evaluations, on: ${withSpeciation.mean}`,
    )
  })
})
