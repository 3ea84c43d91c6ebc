/**
 * `meshwork evolve <task>`: NEAT runs on one node — XOR, CartPole, and the double pole with (dpv) and
 * without (dpnv) velocities — summarised beside the NEAT paper's figures, or as one JSON object. Progress
 * goes to stderr (a bar on a terminal, JSON lines otherwise); `--checkpoint` saves the experiment every
 * few seconds and on Ctrl-C, and `--resume` continues it exactly where it stopped.
 */
import { writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import type { Command } from 'commander'
import { MeshError } from '../../kernel/index.ts'
import {
  type BatchEvaluator,
  bestChampion,
  builtInTaskFitness,
  type Checkpoint,
  CheckpointError,
  createTask,
  EvaluationError,
  type ExperimentSummary,
  experimentTask,
  exportNetwork,
  InlineEvaluator,
  jsonLinesReporter,
  loadCheckpoint,
  type NeatConfig,
  NeatConfigError,
  progressBarReporter,
  type Reporter,
  runExperiment,
  saveCheckpoint,
  silentReporter,
  TASK_NAMES,
  type TaskName,
  taskConfig,
  WorkerPoolEvaluator,
} from '../../workloads/neuro/index.ts'
import { readInputFile } from '../input-file.ts'
import { choiceOption, integerOption } from '../options.ts'
import { checkWritableFile } from '../output-file.ts'

interface EvolveFlags {
  seed: number
  runs: number
  population?: number
  maxGenerations?: number
  workers?: number
  initialAngle?: number
  config?: string
  export?: string
  checkpoint?: string
  resume?: string
  checkpointSeconds: number
  json: boolean
  quiet: boolean
}

/** What the NEAT paper reported (Stanley & Miikkulainen 2002, Tables 1–2 and §4.2). */
const PAPER: Partial<Record<TaskName, string>> = {
  xor: 'NEAT 2002: 4,755 ± 2,553 evaluations, 0 failures in 100 runs, 2.35 hidden nodes',
  dpv: 'NEAT 2002: 3,600 ± 2,704 evaluations (120 runs)',
  dpnv: 'NEAT 2002: 33,184 ± 21,790 evaluations, generalization 286/625 (20 runs)',
}

/** Flags that would change a resumed experiment; its settings come from the checkpoint. */
const SETTINGS_FLAGS = ['seed', 'runs', 'population', 'maxGenerations', 'initialAngle', 'config'] as const

export function registerEvolve(program: Command): void {
  program
    .command('evolve')
    .summary('evolve neural networks with NEAT on xor, cartpole, dpv or dpnv')
    .description(
      'evolve neural networks with NEAT on a benchmark task and report evaluations to solution\n' +
        '  xor       2 inputs + bias → 1 output; solved when all four patterns are right\n' +
        '  cartpole  Gym CartPole-v1; solved at a mean of 475 steps over 100 episodes\n' +
        '  dpv       double pole with velocities; solved by balancing 100,000 steps\n' +
        '  dpnv      double pole without velocities (recurrent); 100,000 steps + 200 of 625 starts',
    )
    .argument('<task>', `one of ${TASK_NAMES.join(', ')}`, choiceOption('<task>', TASK_NAMES))
    .option('--seed <s>', 'seed of the first run; run r uses seed + r', integerOption('--seed', 0), 1)
    .option('--runs <r>', 'independent runs', integerOption('--runs', 1, 100_000), 1)
    .option(
      '--population <p>',
      "genomes per generation (default: the task's)",
      integerOption('--population', 2, 1_000_000),
    )
    .option(
      '--max-generations <g>',
      'generations before a run fails (default 1000)',
      integerOption('--max-generations', 1, 1_000_000),
    )
    .option(
      '--workers <w>',
      'worker threads evaluating fitness (default: 1 inline for xor and cartpole, every core for the pole tasks)',
      integerOption('--workers', 1, 1024),
    )
    .option(
      '--initial-angle <rad>',
      'long-pole start angle for dpv and dpnv, radians (default 0.07)',
      angleOption,
    )
    .option(
      '--config <file>',
      'JSON file of NEAT settings overriding the defaults (see docs/neuroevolution.md)',
    )
    .option(
      '--export <file>',
      'write the best champion over all runs as a network file (docs/formats/network.md)',
    )
    .option('--checkpoint <file>', 'save the experiment to this file as it runs (and on Ctrl-C)')
    .option(
      '--checkpoint-seconds <s>',
      'seconds between checkpoint saves',
      integerOption('--checkpoint-seconds', 1, 86_400),
      10,
    )
    .option('--resume <file>', 'continue the experiment saved in this checkpoint')
    .option('--json', 'print one JSON object instead of a summary', false)
    .option('--quiet', 'no progress output on stderr', false)
    .action(async (taskName: TaskName, flags: EvolveFlags, command: Command) => {
      // Before anything runs: a bad output path or worker count must not cost a run's minutes.
      if (flags.export !== undefined) checkWritableFile('--export', flags.export)
      if (flags.checkpoint !== undefined) checkWritableFile('--checkpoint', flags.checkpoint)
      else if (flags.resume !== undefined) checkWritableFile('--resume', flags.resume)
      if (flags.workers !== undefined) checkWorkers(flags.workers)
      const checkpoint =
        flags.resume === undefined ? undefined : await resumeFrom(flags.resume, taskName, command)
      const settings = checkpoint?.settings ?? (await newSettings(taskName, flags))
      const task = experimentTask(settings)
      const evaluator = createEvaluator(
        settings.task,
        settings.initialAngleRad,
        task.recurrent,
        flags.workers,
      )
      const reporter: Reporter = flags.quiet
        ? silentReporter
        : process.stderr.isTTY
          ? progressBarReporter(process.stderr, settings.runs, settings.task)
          : jsonLinesReporter(process.stderr)
      const checkpointPath = flags.checkpoint ?? flags.resume
      let latest: Checkpoint | undefined
      let lastSave = performance.now()
      const controller = new AbortController()
      const interrupt = (): void => controller.abort()
      process.once('SIGINT', interrupt)
      process.once('SIGTERM', interrupt)
      try {
        const { summary, results } = await runExperiment({
          settings,
          evaluator,
          ...(checkpoint && { resume: checkpoint }),
          onGeneration: (report, run) => reporter.generation(report, run),
          onRun: (result, run) => reporter.run(result, run),
          ...(checkpointPath !== undefined && {
            onCheckpoint: async (next: Checkpoint) => {
              latest = next
              const due = performance.now() - lastSave >= flags.checkpointSeconds * 1000
              if (due || next.current === undefined) {
                await saveCheckpoint(checkpointPath, next)
                lastSave = performance.now()
              }
            },
          }),
          signal: controller.signal,
        })
        reporter.close()
        const best = bestChampion(results)
        if (flags.export !== undefined && best !== undefined) {
          const document = exportNetwork(best.champion.genome, {
            task: settings.task,
            recurrent: task.recurrent,
            fitness: best.champion.fitness,
            seed: best.seed,
            generation: best.champion.generation,
            ...(task.initialAngleRad !== undefined && { initialAngleRad: task.initialAngleRad }),
          })
          await writeFile(flags.export, `${JSON.stringify(document, null, 2)}\n`)
        }
        process.stdout.write(
          flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, flags.export),
        )
        if (summary.solved < summary.runs) process.exitCode = 1
      } catch (error) {
        reporter.close()
        if (controller.signal.aborted && checkpointPath !== undefined && latest !== undefined) {
          await saveCheckpoint(checkpointPath, latest)
          process.stderr.write(`meshwork: stopped; resume with --resume ${checkpointPath}\n`)
          process.exitCode = 130
          return
        }
        if (controller.signal.aborted) {
          process.exitCode = 130
          return
        }
        if (error instanceof EvaluationError) throw new MeshError('INVALID_ARGUMENT', error.message)
        throw error
      } finally {
        process.off('SIGINT', interrupt)
        process.off('SIGTERM', interrupt)
        await evaluator.close()
      }
    })
}

/**
 * More worker threads than cores only share the cores (and cost memory); a few more can still help a
 * machine whose cores are busy with other work, many more is a typo.
 */
const MAX_WORKERS_PER_CORE = 4

function checkWorkers(workers: number): void {
  const cores = availableParallelism()
  if (workers > MAX_WORKERS_PER_CORE * cores) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `--workers must be at most ${MAX_WORKERS_PER_CORE * cores} (${MAX_WORKERS_PER_CORE} × this machine's ${cores} cores), got '${workers}'`,
    )
  }
  if (workers > cores) {
    process.stderr.write(
      `meshwork: warning: --workers ${workers} is more than this machine's ${cores} cores; the threads will share them\n`,
    )
  }
}

function angleOption(text: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || Math.abs(value) >= 0.628329) {
    throw new MeshError('INVALID_ARGUMENT', `--initial-angle must be radians inside ±0.628329, got '${text}'`)
  }
  return value
}

async function newSettings(taskName: TaskName, flags: EvolveFlags) {
  const task = createTask(
    taskName,
    flags.initialAngle === undefined ? {} : { initialAngle: flags.initialAngle },
  )
  const overrides: Partial<Record<keyof NeatConfig, unknown>> = {
    ...(flags.config === undefined ? {} : await readConfigFile(flags.config)),
    ...(flags.population !== undefined && { population: flags.population }),
    ...(flags.maxGenerations !== undefined && { maxGenerations: flags.maxGenerations }),
  }
  let config: NeatConfig
  try {
    config = taskConfig(task, overrides as Partial<NeatConfig>)
  } catch (error) {
    if (error instanceof NeatConfigError) {
      throw new MeshError('INVALID_CONFIG', `${flags.config ?? 'settings'}: ${error.message}`)
    }
    throw error
  }
  return {
    task: taskName,
    ...(task.initialAngleRad !== undefined && { initialAngleRad: task.initialAngleRad }),
    seed: flags.seed,
    runs: flags.runs,
    config,
  }
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const text = await readInputFile(path, 'INVALID_CONFIG')
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('expected an object')
    return json as Record<string, unknown>
  } catch (error) {
    throw new MeshError(
      'INVALID_CONFIG',
      `${path}: not a JSON object of NEAT settings (${(error as Error).message})`,
    )
  }
}

async function resumeFrom(path: string, taskName: TaskName, command: Command): Promise<Checkpoint> {
  const given = SETTINGS_FLAGS.filter((flag) => command.getOptionValueSource(flag) === 'cli')
  if (given.length > 0) {
    const names = given.map((flag) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
    throw new MeshError(
      'INVALID_ARGUMENT',
      `${names.join(', ')} cannot be combined with --resume: the checkpoint fixes the settings`,
    )
  }
  let checkpoint: Checkpoint
  try {
    checkpoint = await loadCheckpoint(path)
  } catch (error) {
    if (error instanceof CheckpointError) throw new MeshError('INVALID_CONFIG', error.message)
    throw error
  }
  if (checkpoint.settings.task !== taskName) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `${path} is a ${checkpoint.settings.task} experiment, not ${taskName}`,
    )
  }
  return checkpoint
}

/**
 * Inline for microsecond evaluations (XOR, CartPole: a worker round trip costs more than the work);
 * a pool of every core for the pole tasks, whose evaluations take up to a tenth of a second.
 */
function createEvaluator(
  taskName: TaskName,
  initialAngle: number | undefined,
  recurrent: boolean,
  workers: number | undefined,
): BatchEvaluator {
  const count = workers ?? (taskName === 'dpv' || taskName === 'dpnv' ? availableParallelism() : 1)
  const options = initialAngle === undefined ? {} : { initialAngle }
  if (count === 1 && workers === undefined) {
    return new InlineEvaluator(createTask(taskName, options).fitness, { recurrent })
  }
  return new WorkerPoolEvaluator({
    workers: count,
    fitness: builtInTaskFitness(taskName, options),
    recurrent,
  })
}

export function formatSummary(s: ExperimentSummary, exported: string | undefined): string {
  const n = (value: number, digits = 0): string =>
    value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const lines = [
    `${s.task}: ${s.runs} run${s.runs === 1 ? '' : 's'}, ${s.solved} solved, ${s.failures} failed ` +
      `(seed ${s.seed}, population ${s.population}, ${s.workers} worker${s.workers === 1 ? '' : 's'})`,
    `  evaluations    mean ${n(s.evaluations.mean)} ± ${n(s.evaluations.std)}, median ${n(s.evaluations.median)}, max ${n(s.evaluations.max)} (solved runs)`,
    `  generations    mean ${n(s.generations.mean, 1)}`,
    `  hidden nodes   mean ${n(s.hiddenNodes.mean, 2)}`,
  ]
  if (s.generalization !== undefined)
    lines.push(`  generalization mean ${n(s.generalization.mean, 1)} of 625`)
  if (s.initialAngleRad !== undefined) lines.push(`  initial angle  ${s.initialAngleRad} rad`)
  lines.push(`  wall           ${n(s.wallMs / 1000, 1)} s, ${n(s.evaluationsPerSecond)} evaluations/s`)
  const paper = PAPER[s.task as TaskName]
  if (paper !== undefined) lines.push(`  for comparison ${paper}`)
  if (exported !== undefined) lines.push(`  champion       written to ${exported}`)
  return `${lines.join('\n')}\n`
}
