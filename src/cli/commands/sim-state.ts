/**
 * `meshwork sim state`: concurrent CRDT writes on N simulated nodes under loss, duplication, a partition,
 * crashes and restarts, scored against oracles of the acknowledged writes (`engines/sim/state/`). Exits
 * non-zero when a write was lost or duplicated, a top-N map held more than N entries, or the replicas did
 * not converge after the heal, printing the command that replays the run.
 */
import type { Command } from 'commander'
import { runStateSimulation, STATE_SCENARIO_DEFAULTS, type StateReport } from '../../engines/sim/index.ts'
import { fractionOption, integerOption } from '../options.ts'

interface SimStateFlags {
  nodes: number
  seed: number
  writes: number
  loss: number
  duplicate: number
  partition: boolean
  crashes: number
  json: boolean
}

export function registerSimState(sim: Command): void {
  sim
    .command('state')
    .description(
      'simulate replicated state (set, top-N, map, counter) under faults and score it Jepsen-style',
    )
    .requiredOption(
      '--nodes <n>',
      'number of simulated nodes (2 to 2,000)',
      integerOption('--nodes', 2, 2_000),
    )
    .option('--seed <s>', 'seed that fixes the whole run', integerOption('--seed', 0), 1)
    .option(
      '--writes <k>',
      'writes per node over the 20 s write phase',
      integerOption('--writes', 0, 10_000),
      STATE_SCENARIO_DEFAULTS.writesPerNode,
    )
    .option(
      '--loss <rate>',
      'message loss during the write phase',
      fractionOption('--loss'),
      STATE_SCENARIO_DEFAULTS.lossRate,
    )
    .option(
      '--duplicate <rate>',
      'message duplication during the write phase',
      fractionOption('--duplicate'),
      STATE_SCENARIO_DEFAULTS.duplicateRate,
    )
    .option('--no-partition', 'do not split the nodes into two halves for the second half of the write phase')
    .option(
      '--crashes <k>',
      'nodes crashed during the write phase, each restarted 3 s later from what it persisted',
      integerOption('--crashes', 0, 1_000),
      STATE_SCENARIO_DEFAULTS.crashes,
    )
    .option('--json', 'print one JSON object instead of a summary', false)
    .action((flags: SimStateFlags) => {
      const report = runStateSimulation({
        ...STATE_SCENARIO_DEFAULTS,
        nodes: flags.nodes,
        seed: flags.seed,
        writesPerNode: flags.writes,
        lossRate: flags.loss,
        duplicateRate: flags.duplicate,
        partition: flags.partition,
        crashes: flags.crashes,
      })
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({
              lostCount: report.lostCount,
              duplicatedCount: report.duplicatedCount,
              maxEntries: report.maxEntries,
              convergedAfterHealMs: report.convergedAfterHealMs,
              replay: report.replay,
              nodes: report.nodes,
              seed: report.seed,
              writes: report.writes,
              rejections: report.rejections,
              wallMs: report.wallMs,
            })}\n`
          : summary(report),
      )
      if (!passed(report)) {
        if (!flags.json) process.stderr.write(`replay: ${report.replay}\n`)
        process.exitCode = 1
      }
    })
}

function passed(report: StateReport): boolean {
  return (
    report.lostCount === 0 &&
    report.duplicatedCount === 0 &&
    report.maxEntries <= STATE_SCENARIO_DEFAULTS.topNCapacity &&
    report.convergedAfterHealMs !== null
  )
}

function summary(report: StateReport): string {
  const converged =
    report.convergedAfterHealMs === null
      ? 'did not converge'
      : `converged ${report.convergedAfterHealMs} ms after the heal`
  return [
    `state: ${report.nodes} nodes, seed ${report.seed}, ${report.writes} acknowledged writes`,
    `  lost ${report.lostCount}, duplicated ${report.duplicatedCount}, top-N held at most ${report.maxEntries}`,
    `  ${converged}; ${report.rejections} refused inputs; ${report.wallMs} ms wall`,
    '',
  ].join('\n')
}
