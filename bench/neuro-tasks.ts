/**
 * NEAT against the NEAT paper (Stanley & Miikkulainen 2002): evaluations to solution over many seeded
 * runs of XOR (100 runs), the double pole with velocities (DPV, 100 runs) and without (DPNV, 20 runs),
 * in a table beside the paper's figures, plus Table 3's ablations (`--ablation`): the same seeds with
 * speciation turned off, and with crossover turned off (every offspring by mutation alone).
 *
 * Usage: node bench/neuro-tasks.ts [--task xor|dpv|dpnv|all] [--runs N] [--seed S] [--workers W] [--ablation]
 * Writes bench/results/neuro-tasks-<YYYY-MM-DD>.json (merging with the tasks already in that file).
 */
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import type { NeatConfig } from '../src/workloads/neuro/config.ts'
import { type BatchEvaluator, InlineEvaluator } from '../src/workloads/neuro/evaluator.ts'
import { type ExperimentSummary, runExperiment, taskConfig } from '../src/workloads/neuro/experiment.ts'
import { createTask, type TaskName } from '../src/workloads/neuro/tasks/index.ts'
import { builtInTaskFitness, WorkerPoolEvaluator } from '../src/workloads/neuro/worker-pool-evaluator.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    task: { type: 'string', default: 'all' },
    runs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    ablation: { type: 'boolean', default: false },
  },
})

const PAPER = {
  xor: { runs: 100, evaluations: 4755, std: 2553, failures: 0, target: 4000 },
  dpv: { runs: 120, evaluations: 3600, std: 2704, failures: 0, target: 3000 },
  dpnv: { runs: 20, evaluations: 33184, std: 21790, failures: 0, generalization: 286, target: 25000 },
} as const
const DEFAULT_RUNS: Record<keyof typeof PAPER, number> = { xor: 100, dpv: 100, dpnv: 20 }

const tasks = (values.task === 'all' ? ['xor', 'dpv', 'dpnv'] : [values.task]) as (keyof typeof PAPER)[]
for (const task of tasks) {
  if (!(task in PAPER)) throw new Error(`--task must be xor, dpv, dpnv or all, got ${task}`)
}

/** Inline for XOR (a worker round trip costs more than the evaluation), a pool for the pole tasks. */
function evaluatorFor(name: TaskName): BatchEvaluator {
  const task = createTask(name)
  if (name === 'xor') return new InlineEvaluator(task.fitness, { recurrent: task.recurrent })
  return new WorkerPoolEvaluator({
    workers: Number(values.workers),
    fitness: builtInTaskFitness(name),
    recurrent: task.recurrent,
  })
}

interface Variant {
  readonly key: string
  readonly label: string
  readonly overrides: Partial<NeatConfig>
}
const FULL: Variant = { key: '', label: '', overrides: {} }
const ABLATIONS: readonly Variant[] = [
  { key: '-no-speciation', label: ' (no speciation)', overrides: { speciation: false } },
  { key: '-no-crossover', label: ' (no crossover)', overrides: { mutationOnlyRate: 1 } },
]

async function measure(name: keyof typeof PAPER, variant: Variant): Promise<ExperimentSummary> {
  const task = createTask(name)
  const runs = Number(values.runs ?? DEFAULT_RUNS[name])
  const settings = {
    task: name,
    seed: Number(values.seed),
    runs,
    config: taskConfig(task, variant.overrides),
  }
  const evaluator = evaluatorFor(name)
  let done = 0
  try {
    const { summary } = await runExperiment({
      settings,
      evaluator,
      onRun: (result) => {
        done++
        process.stderr.write(
          `\r${name}${variant.label} run ${done}/${runs}: ${result.solved ? `${result.evaluations} evaluations` : 'failed'}   `,
        )
      },
    })
    process.stderr.write('\n')
    return summary
  } finally {
    await evaluator.close()
  }
}

const path = new URL(`./results/neuro-tasks-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url)
const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { rows?: unknown[] }) : {}
const rows = new Map<string, unknown>(
  ((previous.rows ?? []) as { key: string }[]).map((row) => [row.key, row] as [string, unknown]),
)
for (const name of tasks) {
  const variants = values.ablation ? [FULL, ...ABLATIONS] : [FULL]
  for (const variant of variants) {
    const summary = await measure(name, variant)
    const paper = PAPER[name]
    const key = `${name}${variant.key}`
    const settings = taskConfig(createTask(name), variant.overrides)
    rows.set(key, { key, ablation: variant.overrides, summary, paper, settings })
    const generalization = summary.generalization
      ? `, generalization ${summary.generalization.mean.toFixed(0)}/625`
      : ''
    console.log(
      `${key.padEnd(20)} ${summary.solved}/${summary.runs} solved · evaluations mean ${Math.round(summary.evaluations.mean)} ± ${Math.round(summary.evaluations.std)}, median ${summary.evaluations.median}${generalization} · paper ${paper.evaluations} ± ${paper.std} · target ≤ ${paper.target} · ${Math.round(summary.wallMs / 1000)} s`,
    )
  }
}
const written = writeResult('neuro-tasks', {
  command: `node bench/neuro-tasks.ts ${process.argv.slice(2).join(' ')}`.trim(),
  rows: [...rows.values()],
})
console.log(`wrote ${written}`)
