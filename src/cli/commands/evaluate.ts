/**
 * `meshwork evaluate <network.json>`: loads an exported network (docs/formats/network.md), checks it, and
 * runs its task on it — the fitness and, for the pole tasks, the champion test that decides success — so
 * a champion can be verified on another machine. A malformed or truncated file is refused with the JSON
 * path of the problem.
 */
import type { Command } from 'commander'
import { MeshError } from '../../kernel/index.ts'
import {
  checkEvaluation,
  compileNetwork,
  createTask,
  type ImportedNetwork,
  isTaskName,
  NetworkFormatError,
  parseNetworkFile,
  TASK_NAMES,
  type TaskName,
} from '../../workloads/neuro/index.ts'
import { readInputFile } from '../input-file.ts'
import { choiceOption, integerOption } from '../options.ts'

interface EvaluateFlags {
  task?: TaskName
  seed: number
  json: boolean
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description("run a network file's task on it: its fitness and, for cartpole and dpnv, the success test")
    .argument('<file>', 'a network file written by `meshwork evolve --export`')
    .option(
      '--task <task>',
      `the task, when the file does not name one (${TASK_NAMES.join(', ')})`,
      choiceOption('--task', TASK_NAMES),
    )
    .option(
      '--seed <s>',
      'seed of the evaluation context (CartPole draws its start states from it)',
      integerOption('--seed', 0),
      1,
    )
    .option('--json', 'print one JSON object', false)
    .action(async (file: string, flags: EvaluateFlags) => {
      const network = await readNetwork(file)
      const taskName = flags.task ?? network.task
      if (taskName === undefined || !isTaskName(taskName)) {
        throw new MeshError(
          'INVALID_ARGUMENT',
          `${file} names ${taskName === undefined ? 'no task' : `task '${taskName}'`}; pass --task (${TASK_NAMES.join(', ')})`,
        )
      }
      const task = createTask(
        taskName,
        network.initialAngleRad === undefined ? {} : { initialAngle: network.initialAngleRad },
      )
      if (network.recurrent !== task.recurrent) {
        throw new MeshError(
          'INVALID_ARGUMENT',
          `${file}: ${taskName} networks have recurrent: ${task.recurrent}`,
        )
      }
      const context = { seed: flags.seed, generation: 0, index: 0 }
      const compiled = compileNetwork(network.genome, { recurrent: network.recurrent })
      if (compiled.inputCount !== task.inputs || compiled.outputCount !== task.outputs) {
        throw new MeshError(
          'INVALID_ARGUMENT',
          `${file}: ${taskName} takes ${task.inputs} inputs and ${task.outputs} output(s), the network has ${compiled.inputCount} and ${compiled.outputCount}`,
        )
      }
      const evaluation = checkEvaluation(await task.fitness(compiled, context), context)
      // every task resets the network at the start of each episode, so the test reuses it
      const test = task.championTest?.(compiled, context)
      const solved = test === undefined ? evaluation.metrics?.solved === 1 : test.solved
      const report = {
        task: taskName,
        recurrent: network.recurrent,
        hiddenNodes: network.genome.nodes.filter((n) => n.kind === 'hidden').length,
        enabledConnections: network.genome.connections.filter((c) => c.enabled).length,
        fitness: evaluation.fitness,
        metrics: { ...evaluation.metrics, ...test?.metrics },
        solved,
        ...(task.initialAngleRad !== undefined && { initialAngleRad: task.initialAngleRad }),
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`)
      else {
        const metrics = Object.entries(report.metrics)
          .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toPrecision(6)}`)
          .join(', ')
        process.stdout.write(
          `${file}: ${taskName}, ${report.hiddenNodes} hidden nodes, ${report.enabledConnections} enabled connections\n` +
            `  fitness ${report.fitness.toPrecision(6)}${metrics === '' ? '' : ` (${metrics})`}\n` +
            `  ${solved ? 'solves' : 'does not solve'} the task\n`,
        )
      }
      if (!solved) process.exitCode = 1
    })
}

async function readNetwork(file: string): Promise<ImportedNetwork> {
  const text = await readInputFile(file, 'INVALID_ARGUMENT')
  try {
    return parseNetworkFile(text)
  } catch (error) {
    if (error instanceof NetworkFormatError)
      throw new MeshError('INVALID_ARGUMENT', `${file}: ${error.message}`)
    throw error
  }
}
