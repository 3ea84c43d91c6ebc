/**
 * Ablations of the NEAT paper's Table 3 as regression oracles: if turning a component off does not hurt,
 * that component is broken.
 *
 * - Crossover (the paper's "non-mating" row), on DPV as in the paper.
 * - Speciation, on XOR, where a solution needs new structure that has to survive its first, untuned
 *   generations — what speciation protects. On DPV this engine does not reproduce the paper's direction:
 *   a linear controller solves it, so there is no structure to protect, and without speciation the single
 *   population tunes weights faster (docs/neuroevolution.md; `node bench/neuro-tasks.ts --ablation`).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { NeatConfig } from '../src/workloads/neuro/config.ts'
import { InlineEvaluator } from '../src/workloads/neuro/evaluator.ts'
import { runExperiment, taskConfig } from '../src/workloads/neuro/experiment.ts'
import { createTask } from '../src/workloads/neuro/tasks/index.ts'

const CAP = 300

/** Mean evaluations over seeds 1–20, a failed run costing the whole generation cap. */
async function meanCost(
  name: 'xor' | 'dpv',
  overrides: Partial<NeatConfig>,
): Promise<{ mean: number; failures: number }> {
  const task = createTask(name)
  const config = taskConfig(task, { ...overrides, maxGenerations: CAP })
  const { results } = await runExperiment({
    settings: { task: name, seed: 1, runs: 20, config },
    evaluator: new InlineEvaluator(task.fitness, { recurrent: false }),
  })
  // a failed run costs what it spent: the whole generation cap
  const total = results.reduce((sum, r) => sum + r.evaluations, 0)
  return { mean: total / results.length, failures: results.filter((r) => !r.solved).length }
}

describe('NEAT ablations (Table 3)', () => {
  it('turning speciation off makes XOR need more evaluations over 20 seeds', async () => {
    const withSpeciation = await meanCost('xor', {})
    const without = await meanCost('xor', { speciation: false })
    assert.equal(withSpeciation.failures, 0)
    assert.ok(
      without.mean > 1.5 * withSpeciation.mean,
      `speciation off: ${without.mean} evaluations, on: ${withSpeciation.mean}`,
    )
  })

  it('turning crossover off (mutation only) makes DPV need more evaluations over 20 seeds', async () => {
    const withCrossover = await meanCost('dpv', {})
    const without = await meanCost('dpv', { mutationOnlyRate: 1 })
    assert.equal(withCrossover.failures, 0)
    assert.ok(
      without.mean > 1.5 * withCrossover.mean,
      `crossover off: ${without.mean} evaluations, on: ${withCrossover.mean}`,
    )
  })
})
