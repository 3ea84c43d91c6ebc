/**
 * One simulated membership run, in VOPR's two parts (tigerbeetle `src/vopr.zig`): fault phases in which
 * the checkers judge every event and step while nodes join, run, crash, restart and get partitioned over
 * a lossy, duplicating, reordering network with skewed clocks; then a liveness phase in which the faults
 * stop and the cluster must converge to one correct view within a bound. Phases (`phases/`) drive a
 * `SimulatedCluster`, checkers (`checkers/`) watch it; a caller may add its own of either. The report
 * carries the measurements, the violations and the command that replays the run bit for bit.
 */
import { Random } from '../../../kernel/index.ts'
import { deriveFaultMix, describeFaultMix } from '../fault-mix.ts'
import type { CheckerFactory, Violation } from './checker.ts'
import { crashDetection, falsePositives, MEMBERSHIP_CHECKERS } from './checkers/index.ts'
import type { Phase, Progress } from './phase.ts'
import { MEMBERSHIP_PHASES } from './phases/index.ts'
import { type MembershipScenario, SCENARIO_DEFAULTS } from './scenario.ts'
import { SimulatedCluster } from './simulation.ts'
import { percentile, round1 as round } from './statistics.ts'

export interface MembershipReport {
  nodes: number
  seed: number
  connectionClass: string
  faults: string
  detection: { p50Ms: number; p99Ms: number; maxMs: number; samples: number; missed: number }
  /** Every crash's detection time, sorted (for pooling across runs). */
  detectionSamplesMs: number[]
  falsePositives: number
  falsePositiveEvents: number
  falsePositivesPerNodeHour: number
  nodeMinutes: number
  joinConvergenceMs: number | null
  partition: { detectedMs: number | null; healedMs: number | null } | null
  convergenceAfterFaultsMs: number | null
  messagesPerNodePerSecond: number
  bytesPerNodePerSecond: number
  steadyBytesPerNodePerSecond: number
  simulatedMs: number
  wallMs: number
  events: number
  eventsPerSecond: number
  rejectedFrames: number
  dropped: { updates: number; events: number; outbox: number; requests: number }
  ok: boolean
  violations: Violation[]
  replay: string
}

export function replayCommand(s: MembershipScenario): string {
  const parts = [
    'npx meshwork sim membership',
    `--nodes ${s.nodes}`,
    `--seed ${s.seed}`,
    `--connection-class ${s.connectionClass}`,
  ]
  if (s.swarm) parts.push('--swarm')
  else {
    if (s.lossRate > 0) parts.push(`--loss ${s.lossRate}`)
    parts.push(`--crash ${s.crashes}`)
    if (s.partition) parts.push('--partition')
  }
  if (s.start !== 'join') parts.push(`--start ${s.start}`)
  if (s.wire) parts.push('--wire')
  if (s.steadyMs !== SCENARIO_DEFAULTS.steadyMs) parts.push(`--steady-ms ${s.steadyMs}`)
  if (s.crashSpacingMs !== SCENARIO_DEFAULTS.crashSpacingMs)
    parts.push(`--crash-spacing-ms ${s.crashSpacingMs}`)
  parts.push('--json')
  return parts.join(' ')
}

/** Applies the seed's own fault mix when `swarm` is set (the seed fully determines the run). */
export function resolveScenario(input: MembershipScenario): MembershipScenario {
  if (!input.swarm) return input
  const mix = deriveFaultMix(new Random(input.seed).fork('fault-mix'))
  return {
    ...input,
    lossRate: mix.lossRate,
    duplicateRate: mix.duplicateRate,
    reorderRate: mix.reorderRate,
    crashes: Math.round(mix.crashFraction * input.nodes),
    restartProbability: mix.restartProbability,
    partition: mix.partition,
    partitionMode: mix.partitionMode,
    partitionKind: mix.partitionKind,
    extraJitterMs: mix.jitterMs,
    // a quarter of departures are graceful on the seeds that have any
    leaveProbability: mix.crashFraction > 0 ? 0.25 : 0,
    clockOffsetMaxMs: mix.clockOffsetMaxMs,
    clockDriftMaxPpm: mix.clockDriftMaxPpm,
  }
}

/** Phases and checkers beyond the membership ones (a later capability's), run after them. */
export interface SimulationExtensions {
  readonly phases?: readonly Phase[]
  readonly checkers?: readonly CheckerFactory[]
}

export function runMembershipSimulation(
  input: MembershipScenario,
  progress: Progress = () => {},
  extensions: SimulationExtensions = {},
): MembershipReport {
  const wallStart = performance.now()
  const s = resolveScenario(input)
  const c = new SimulatedCluster(s)
  const [wrongVerdicts] = c.check(falsePositives) as [ReturnType<typeof falsePositives>]
  const [crashes] = c.check(crashDetection) as [ReturnType<typeof crashDetection>]
  c.check(...MEMBERSHIP_CHECKERS, ...(extensions.checkers ?? []))
  // the liveness phase stops the faults, so the other phases (a later capability's too) run before it
  const phases = [...MEMBERSHIP_PHASES]
  phases.splice(phases.length - 1, 0, ...(extensions.phases ?? []))
  for (const phase of phases) phase.run(c, progress)
  for (const checker of c.checkers) checker.finish?.(c.view)
  const { scheduler, host, measurements } = c
  const { samples, missed } = crashes.detections(c.view)
  samples.sort((a, b) => a - b)
  const simulatedMs = scheduler.now
  const wallMs = performance.now() - wallStart
  const nodeMinutes = (s.nodes * simulatedMs) / 60_000
  const dropped = { updates: 0, events: 0, outbox: 0, requests: 0 }
  for (const i of c.upNodes()) {
    const stats = c.core(i).stats
    dropped.updates += stats.updatesDropped
    dropped.events += stats.eventsDropped
    dropped.outbox += stats.outboxDropped
    dropped.requests += stats.requestsDropped
  }
  const perNodePerSecond = (total: number): number => round(total / s.nodes / (simulatedMs / 1000))
  return {
    nodes: s.nodes,
    seed: s.seed,
    connectionClass: s.connectionClass,
    faults: describeScenarioFaults(s),
    detection: {
      p50Ms: round(percentile(samples, 50)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(samples.at(-1) ?? Number.NaN),
      samples: samples.length,
      missed,
    },
    detectionSamplesMs: samples.map(round),
    falsePositives: wrongVerdicts.subjects.size,
    falsePositiveEvents: wrongVerdicts.events,
    falsePositivesPerNodeHour: wrongVerdicts.events / (nodeMinutes / 60),
    nodeMinutes: round(nodeMinutes),
    joinConvergenceMs: roundOrNull(measurements.joinConvergenceMs),
    partition: measurements.partition,
    convergenceAfterFaultsMs: roundOrNull(measurements.convergenceAfterFaultsMs),
    messagesPerNodePerSecond: perNodePerSecond(host.traffic.messagesSent),
    bytesPerNodePerSecond: perNodePerSecond(host.traffic.bytesSent),
    steadyBytesPerNodePerSecond: round(measurements.steadyBytesPerNodePerSecond),
    simulatedMs: round(simulatedMs),
    wallMs: Math.round(wallMs),
    events: scheduler.eventsRun,
    eventsPerSecond: Math.round(scheduler.eventsRun / (wallMs / 1000)),
    rejectedFrames: host.traffic.rejectedFrames,
    dropped,
    ok: c.violations.length === 0,
    violations: c.violations,
    replay: replayCommand(input),
  }
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value)
}

function describeScenarioFaults(s: MembershipScenario): string {
  if (s.swarm) {
    return describeFaultMix(deriveFaultMix(new Random(s.seed).fork('fault-mix')))
  }
  const parts = [`loss ${s.lossRate}`, `crashes ${s.crashes}`]
  if (s.partition) parts.push(`partition ${s.partitionMode}`)
  return parts.join(', ')
}
