/**
 * `meshwork sim membership`: one deterministic membership simulation, reported as JSON or as a summary.
 * Exits non-zero when a checker fails, printing the command that replays the run.
 */
import type { Command } from 'commander'
import {
  type MembershipReport,
  type MembershipScenario,
  runMembershipSimulation,
  SCENARIO_DEFAULTS,
} from '../../engines/sim/index.ts'
import { CONNECTION_CLASSES, type ConnectionClass, MeshError } from '../../kernel/index.ts'
import { choiceOption, fractionOption, integerOption } from '../options.ts'

interface SimMembershipFlags {
  nodes: number
  seed: number
  connectionClass: ConnectionClass
  loss?: number
  crash: number
  crashSpacingMs: number
  partition: boolean
  swarm: boolean
  wire: boolean
  start: 'join' | 'converged'
  steadyMs: number
  json: boolean
}

export function registerSimMembership(sim: Command): void {
  sim
    .command('membership')
    .description('simulate SWIM/Lifeguard membership on N virtual nodes and measure detection and cost')
    .requiredOption(
      '--nodes <n>',
      'number of simulated nodes (2 to 1,000,000)',
      integerOption('--nodes', 2, 1_000_000),
    )
    .option('--seed <s>', 'seed that fixes the whole run', integerOption('--seed', 0), 1)
    .option(
      '--connection-class <class>',
      `membership timings and link latencies: ${CONNECTION_CLASSES.join(', ')}`,
      choiceOption('--connection-class', CONNECTION_CLASSES),
      'lan',
    )
    .option(
      '--loss <rate>',
      'message loss from the start until the liveness phase (joins, steady phase, crashes, partition), e.g. 0.05; the liveness phase then runs without loss',
      fractionOption('--loss'),
    )
    .option(
      '--crash <k>',
      'nodes crashed one after another (at most nodes − 2: two must survive to detect them)',
      integerOption('--crash', 0),
      1,
    )
    .option(
      '--crash-spacing-ms <ms>',
      'time between two crashes (scaled by the connection class); longer than ~3 s, each meets a quiet cluster',
      integerOption('--crash-spacing-ms', 1, MAX_STEADY_MS),
      SCENARIO_DEFAULTS.crashSpacingMs,
    )
    .option('--partition', 'split the cluster 40|60, then heal', false)
    .option(
      '--swarm',
      'let the seed choose its own fault mix (loss, duplication, skew, crashes, partitions)',
      false,
    )
    .option('--wire', 'encode and decode every message (exercises the codec, slower)', false)
    .option(
      '--start <mode>',
      "'join' through seeds, or 'converged' (every node starts knowing all)",
      choiceOption('--start', ['join', 'converged'] as const),
      'join',
    )
    .option(
      '--steady-ms <ms>',
      'quiet time before the faults (at most an hour of simulated time)',
      integerOption('--steady-ms', 0, MAX_STEADY_MS),
      SCENARIO_DEFAULTS.steadyMs,
    )
    .option('--json', 'print one JSON object instead of a summary', false)
    .action((flags: SimMembershipFlags, command: Command) => {
      checkFaultFlags(flags, command)
      const scenario: MembershipScenario = {
        ...SCENARIO_DEFAULTS,
        nodes: flags.nodes,
        seed: flags.seed,
        connectionClass: flags.connectionClass,
        lossRate: flags.loss ?? 0,
        crashes: flags.crash,
        crashSpacingMs: flags.crashSpacingMs,
        partition: flags.partition,
        swarm: flags.swarm,
        wire: flags.wire,
        start: flags.start,
        steadyMs: flags.steadyMs,
      }
      const progress =
        flags.json || !process.stderr.isTTY
          ? undefined
          : (line: string) => process.stderr.write(`… ${line}\n`)
      const report = runMembershipSimulation(scenario, progress)
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatSummary(report))
      if (!report.ok) {
        if (!flags.json) process.stderr.write(`replay: ${report.replay}\n`)
        process.exitCode = 1
      }
    })
}

/** A steady phase is seconds; an hour already simulates days of node-time on a large cluster. */
const MAX_STEADY_MS = 3_600_000

/** Refuses fault settings the run would silently not apply. */
function checkFaultFlags(flags: SimMembershipFlags, command: Command): void {
  const maxCrashes = Math.max(0, flags.nodes - 2)
  // The default (one crash) fits every cluster but the smallest, where it simply does not happen.
  if (flags.crash > maxCrashes && command.getOptionValueSource('crash') === 'cli') {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `--crash must be at most ${maxCrashes} with ${flags.nodes} nodes (two must survive to detect the crashes), got '${flags.crash}'`,
    )
  }
  if (flags.swarm) {
    const given = ['loss', 'crash', 'partition'].filter(
      (name) => command.getOptionValueSource(name) === 'cli',
    )
    if (given.length > 0) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `${given.map((name) => `--${name}`).join(', ')} cannot be combined with --swarm: the seed draws its own fault mix`,
      )
    }
  }
}

export function formatSummary(r: MembershipReport): string {
  const ms = (value: number | null | undefined): string =>
    value === null || value === undefined || Number.isNaN(value) ? '—' : `${Math.round(value)} ms`
  const lines = [
    `membership simulation: ${r.nodes} nodes, ${r.connectionClass}, seed ${r.seed}`,
    `  faults                ${r.faults}`,
    `  join convergence      ${ms(r.joinConvergenceMs)}`,
    `  crash detection       p50 ${ms(r.detection.p50Ms)}, p99 ${ms(r.detection.p99Ms)}, max ${ms(r.detection.maxMs)} (${r.detection.samples} crashes, ${r.detection.missed} missed)`,
    `  false positives       ${r.falsePositives} members (${r.falsePositiveEvents} reports over ${Math.round(r.nodeMinutes)} node-minutes)`,
  ]
  if (r.partition !== null) {
    lines.push(
      `  partition             detected in ${ms(r.partition.detectedMs)}, one view again ${ms(r.partition.healedMs)} after heal`,
    )
  }
  lines.push(
    `  after faults stop     one correct view in ${ms(r.convergenceAfterFaultsMs)}`,
    `  traffic               ${r.messagesPerNodePerSecond} messages and ${Math.round(r.bytesPerNodePerSecond)} bytes per node per second (steady: ${Math.round(r.steadyBytesPerNodePerSecond)} B/s)`,
    `  simulator             ${Math.round(r.simulatedMs / 1000)} s simulated in ${Math.round(r.wallMs)} ms wall, ${r.events.toLocaleString('en-US')} events (${r.eventsPerSecond.toLocaleString('en-US')}/s)`,
    r.ok
      ? '  checks                all passed'
      : `  checks                FAILED: ${r.violations.map((v) => `${v.checker} at ${Math.round(v.at)} ms: ${v.message}`).join('; ')}`,
    `  replay                ${r.replay}`,
  )
  return `${lines.join('\n')}\n`
}
