/**
 * Many seeded runs of one task and their summary — what `meshwork evolve` prints and the benchmarks
 * record: how many runs solved, evaluations to solution (mean, std, median, max), generations, hidden
 * nodes of the solutions, DPNV generalization, and evaluation throughput. Run r uses seed `seed + r`,
 * so any single run can be replayed alone; an experiment resumes from a checkpoint's finished runs and
 * the state of the run in progress.
 */
import type { Checkpoint, ExperimentSettings } from './checkpoint.ts'
import { type NeatConfig, neatConfig } from './config.ts'
import type { BatchEvaluator } from './evaluator.ts'
import {
  type EvolutionState,
  evolve,
  type GenerationReport,
  initialState,
  type RunResult,
} from './evolution.ts'
import { createTask, type NeatTask } from './tasks/index.ts'

export interface ExperimentOptions {
  readonly settings: ExperimentSettings
  readonly evaluator: BatchEvaluator
  /** Finished runs and the run in progress, from a checkpoint. */
  readonly resume?: Pick<Checkpoint, 'completed' | 'current'>
  readonly onGeneration?: (report: GenerationReport, run: number) => void
  readonly onRun?: (result: RunResult, run: number) => void
  /** Called at the start of every generation with what a checkpoint needs; may be async. */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>
  readonly signal?: AbortSignal
}

export interface Statistics {
  readonly mean: number
  readonly std: number
  readonly median: number
  readonly max: number
}

export interface ExperimentSummary {
  readonly task: string
  readonly runs: number
  readonly solved: number
  readonly failures: number
  /** Over solved runs, as the NEAT paper reports them. */
  readonly evaluations: Statistics
  readonly generations: { readonly mean: number }
  readonly hiddenNodes: { readonly mean: number }
  readonly generalization?: { readonly mean: number }
  readonly initialAngleRad?: number
  readonly population: number
  readonly seed: number
  readonly workers: number
  readonly wallMs: number
  readonly evaluationsPerSecond: number
}

/** The NEAT defaults, then the task's settings, then the caller's overrides; checked. */
export function taskConfig(task: NeatTask, overrides: Partial<NeatConfig> = {}): NeatConfig {
  return neatConfig({ ...task.settings, recurrent: task.recurrent, ...overrides })
}

export function experimentTask(settings: ExperimentSettings): NeatTask {
  return createTask(
    settings.task,
    settings.initialAngleRad === undefined ? {} : { initialAngle: settings.initialAngleRad },
  )
}

export async function runExperiment(
  options: ExperimentOptions,
): Promise<{ summary: ExperimentSummary; results: RunResult[] }> {
  const { settings } = options
  const task = experimentTask(settings)
  const results: RunResult[] = [...(options.resume?.completed ?? [])]
  let resumed = options.resume?.current
  for (let run = results.length; run < settings.runs; run++) {
    const start: EvolutionState = resumed ?? initialState(task, settings.config, settings.seed + run)
    resumed = undefined
    const completed = [...results]
    const result = await evolve(start, {
      task,
      config: settings.config,
      evaluator: options.evaluator,
      ...(options.onGeneration && { onGeneration: (report) => options.onGeneration?.(report, run) }),
      ...(options.onCheckpoint && {
        onState: (current) => options.onCheckpoint?.({ settings, completed, current }),
      }),
      ...(options.signal && { signal: options.signal }),
    })
    results.push(result)
    options.onRun?.(result, run)
  }
  await options.onCheckpoint?.({ settings, completed: results })
  return { summary: summarize(task, settings, options.evaluator.parallelism, results), results }
}

export function summarize(
  task: NeatTask,
  settings: ExperimentSettings,
  workers: number,
  results: readonly RunResult[],
): ExperimentSummary {
  const solved = results.filter((r) => r.solved)
  const totalEvaluations = results.reduce((sum, r) => sum + r.evaluations, 0)
  const wallMs = results.reduce((sum, r) => sum + r.wallMs, 0)
  const generalization = solved
    .map((r) => r.champion.metrics.generalization)
    .filter((g): g is number => g !== undefined)
  return {
    task: task.name,
    runs: results.length,
    solved: solved.length,
    failures: results.length - solved.length,
    evaluations: statistics(solved.map((r) => r.evaluations)),
    generations: { mean: mean(solved.map((r) => r.generations)) },
    hiddenNodes: { mean: mean(solved.map((r) => r.hiddenNodes)) },
    ...(task.name === 'dpnv' && { generalization: { mean: mean(generalization) } }),
    ...(task.initialAngleRad !== undefined && { initialAngleRad: task.initialAngleRad }),
    population: settings.config.population,
    seed: settings.seed,
    workers,
    wallMs: Math.round(wallMs),
    evaluationsPerSecond: wallMs > 0 ? Math.round(totalEvaluations / (wallMs / 1000)) : 0,
  }
}

/** The champion to export: solved runs first, then the highest fitness, then the earliest run. */
export function bestChampion(results: readonly RunResult[]): RunResult | undefined {
  let best: RunResult | undefined
  for (const r of results) {
    if (
      best === undefined ||
      (r.solved && !best.solved) ||
      (r.solved === best.solved && r.champion.fitness > best.champion.fitness)
    ) {
      best = r
    }
  }
  return best
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
}

export function statistics(values: readonly number[]): Statistics {
  if (values.length === 0) return { mean: 0, std: 0, median: 0, max: 0 }
  const m = mean(values)
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return { mean: m, std: Math.sqrt(variance), median, max: sorted[sorted.length - 1] as number }
}
