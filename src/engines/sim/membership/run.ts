/**
 * One simulated membership run, in VOPR's two phases (tigerbeetle `src/vopr.zig`): a fault phase in
 * which safety is checked continuously while nodes join, run, crash, restart and get partitioned over
 * a lossy, duplicating, reordering network with skewed clocks; then a liveness phase in which the faults
 * stop and the cluster must converge to one correct view within a bound. The report carries the
 * measurements and the command that replays the run bit for bit.
 */
import { type Millis, type NodeId, Random } from '../../../kernel/index.ts'
import {
  DEFAULT_PROFILE,
  decodeMessage,
  encodedMessageBytes,
  encodeMessage,
  type MemberRecord,
  Membership,
  type MembershipEvent,
  type MembershipMessage,
  membershipConfig,
} from '../../../protocols/membership/index.ts'
import { SkewedClock } from '../clock.ts'
import { deriveFaultMix, describeFaultMix } from '../fault-mix.ts'
import { SimNetwork } from '../network.ts'
import { drawPartitionGroups } from '../partition-groups.ts'
import { Scheduler } from '../scheduler.ts'
import { SimHost } from '../sim-host.ts'
import { MembershipObserver, percentile, type Violation } from './observer.ts'
import { LINK_MODELS, type MembershipScenario, SCENARIO_DEFAULTS } from './scenario.ts'

export interface MembershipReport {
  nodes: number
  seed: number
  profile: string
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

/** Timing of the phases for each connection class, in multiples that keep every profile meaningful. */
const PHASE_SCALE = { lan: 1, wan: 10, mobile: 20, hostile: 10 } as const
const CHECK_STEP_MS = 10
/** How long a leaving node keeps running to let its leave announcement out (as the daemon will). */
const LEAVE_FLUSH_MS = 200

export function replayCommand(s: MembershipScenario): string {
  const parts = [
    'npx meshwork sim membership',
    `--nodes ${s.nodes}`,
    `--seed ${s.seed}`,
    `--profile ${s.profile}`,
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

export function runMembershipSimulation(
  input: MembershipScenario,
  progress: (line: string) => void = () => {},
): MembershipReport {
  const wallStart = performance.now()
  const s = resolveScenario(input)
  const root = new Random(s.seed)
  const scenarioRandom = root.fork('scenario')
  const config = membershipConfig(s.profile, s.config)
  const scale = PHASE_SCALE[s.profile]
  const ids: NodeId[] = Array.from({ length: s.nodes }, (_, i) => `n${i}`)
  const indexOf = new Map(ids.map((id, i) => [id, i]))
  const scheduler = new Scheduler()
  const link = LINK_MODELS[s.profile]
  const network = new SimNetwork(root.fork('network'), {
    latency: { ...link, jitterMs: link.jitterMs + s.extraJitterMs },
    lossRate: s.lossRate,
    duplicateRate: s.duplicateRate,
    reorderRate: s.reorderRate,
  })
  const clockRandom = root.fork('clocks')
  const clocks = ids.map(
    () =>
      new SkewedClock(
        clockRandom.floatBetween(-s.clockOffsetMaxMs, s.clockOffsetMaxMs),
        clockRandom.floatBetween(-s.clockDriftMaxPpm, s.clockDriftMaxPpm),
      ),
  )
  const observer = new MembershipObserver((id) => indexOf.get(id))
  const lives = new Int32Array(s.nodes)
  const host = new SimHost<MembershipMessage, MembershipEvent, Membership>({
    scheduler,
    network,
    ids,
    clocks,
    wire: s.wire,
    codec: { encode: encodeMessage, decode: (bytes) => decodeMessage(bytes), size: encodedMessageBytes },
    create: (index, localNow) =>
      new Membership({
        self: ids[index] as NodeId,
        addresses: [`/sim/${index}`],
        profile: { ...DEFAULT_PROFILE, connectionClass: s.profile },
        config,
        random: root.fork(`node-${index}-life-${lives[index]}`),
        now: localNow,
      }),
    onEvent: (index, event, at) => observer.onEvent(index, event, at),
  })
  const violations = observer.violations
  const upNodes = (): number[] => ids.map((_, i) => i).filter((i) => host.isUp(i))

  // ── safety: checked every step of the fault phase ──
  const lastIncarnation = new Float64Array(s.nodes).fill(-1)
  const checkSafety = (): void => {
    for (let i = 0; i < s.nodes; i++) {
      const core = host.core(i)
      if (core === undefined) continue
      const self = core.selfRecord()
      if (self.state !== 'alive' && !core.isLeaving) {
        observer.violate('self-alive', scheduler.now, `node ${i} holds itself as ${self.state}`)
      }
      if (self.incarnation < (lastIncarnation[i] as number)) {
        observer.violate('incarnation-monotonic', scheduler.now, `node ${i} incarnation went down`)
      }
      lastIncarnation[i] = self.incarnation
    }
  }

  /** Every up node sees every other up node alive and no down node alive or suspect. */
  const converged = (): boolean => {
    const up = upNodes()
    for (const i of up) {
      const core = host.core(i) as Membership
      const counts = core.memberCounts()
      if (counts.alive !== up.length - 1 || counts.suspect !== 0) return false
    }
    for (const i of up) {
      const core = host.core(i) as Membership
      for (const j of up) if (j !== i && core.member(ids[j] as NodeId)?.state !== 'alive') return false
    }
    return true
  }

  const runUntilTrue = (predicate: () => boolean, limitMs: Millis, safety: boolean): Millis | null => {
    const start = scheduler.now
    for (let t = start; t <= start + limitMs; t += CHECK_STEP_MS) {
      scheduler.runUntil(t)
      if (safety) checkSafety()
      if (predicate()) return scheduler.now - start
    }
    return null
  }
  const runFor = (durationMs: Millis): void => {
    runUntilTrue(() => false, durationMs, true)
  }

  // ── partitions: ground truth for excusing failure reports across the cut ──
  let groupOf: Int8Array | undefined
  let healedAt = Number.NEGATIVE_INFINITY
  const minSuspicionMs = config.suspicionBaseMs * Math.max(1, Math.log10(s.nodes))
  const excuseAfterHealMs = minSuspicionMs * config.suspicionMaxMultiplier + 4 * config.probeTimeoutMaxMs
  let lastGroups: Int8Array | undefined
  observer.isUp = (subject) => host.isUp(subject)
  observer.excused = (a, b, at) => {
    if (groupOf !== undefined) return groupOf[a] !== groupOf[b]
    return lastGroups !== undefined && lastGroups[a] !== lastGroups[b] && at - healedAt < excuseAfterHealMs
  }

  // ── phase 1: start and join ──
  let joinConvergenceMs: number | null = null
  if (s.start === 'converged') {
    const records: MemberRecord[] = ids.map((id, i) => ({
      id,
      incarnation: 0,
      state: 'alive',
      addresses: [`/sim/${i}`],
      profile: { ...DEFAULT_PROFILE, connectionClass: s.profile },
    }))
    for (let i = 0; i < s.nodes; i++) host.start(i, (core, now) => core.restore(now, records))
    joinConvergenceMs = 0
  } else {
    const seeds = ids.slice(0, Math.min(3, s.nodes))
    const spreadMs = Math.min(2_000, s.nodes) * scale
    let lastStart = 0
    for (let i = 0; i < s.nodes; i++) {
      const at = i === 0 ? 0 : scenarioRandom.float() * spreadMs
      lastStart = Math.max(lastStart, at)
      scheduler.at(at, () => host.start(i, (core, now) => core.join(now, i === 0 ? [] : seeds)))
    }
    progress(`joining ${s.nodes} nodes`)
    scheduler.runUntil(lastStart)
    joinConvergenceMs = runUntilTrue(converged, 60_000 * scale + s.nodes * 20, true)
    if (joinConvergenceMs === null)
      observer.violate('join-converges', scheduler.now, 'nodes did not all see each other')
  }

  // ── phase 2: steady state (false positives still counted) ──
  progress('steady state')
  const steadyBytesBefore = host.traffic.bytesSent
  const steadyStart = scheduler.now
  runFor(s.steadyMs)
  const steadyBytesPerNodePerSecond =
    (host.traffic.bytesSent - steadyBytesBefore) / s.nodes / ((scheduler.now - steadyStart) / 1000)

  // ── phase 3: crashes, one after another, some restarting ──
  const crashSpacingMs = 2_000 * scale
  const victims = scenarioRandom.sample(
    ids.map((_, i) => i),
    Math.min(s.crashes, Math.max(0, s.nodes - 2)),
  )
  if (victims.length > 0) progress(`crashing ${victims.length} nodes`)
  // a separate stream, so that adding graceful leaves did not change which nodes each seed crashes
  const leaveRandom = root.fork('leaves')
  for (const victim of victims) {
    observer.crashed(victim, scheduler.now)
    if (leaveRandom.chance(s.leaveProbability)) {
      // a graceful leave: announce, keep the process up for a short flush, then stop it
      host.poke(victim, (core, now) => core.leave(now))
      runFor(LEAVE_FLUSH_MS * scale)
    }
    host.crash(victim)
    runFor(crashSpacingMs)
    if (scenarioRandom.chance(s.restartProbability)) {
      observer.restarted(victim)
      lives[victim] = (lives[victim] as number) + 1
      lastIncarnation[victim] = -1
      host.start(victim, (core, now) => core.join(now, ids.slice(0, 3)))
    }
  }
  runFor(crashSpacingMs)

  // ── phase 4: partition and heal ──
  let partitionReport: MembershipReport['partition'] = null
  if (s.partition && s.nodes >= 4) {
    const up = upNodes()
    groupOf = new Int8Array(s.nodes)
    if (s.partitionKind === 'minority') {
      for (const i of scenarioRandom.sample(up, Math.max(1, Math.floor(up.length * 0.4)))) groupOf[i] = 1
    } else {
      const draw = drawPartitionGroups(scenarioRandom, s.partitionKind, s.nodes)
      for (let i = 0; i < s.nodes; i++) groupOf[i] = draw(i)
    }
    const groups = groupOf
    const minority = up.filter((i) => groups[i] === 1)
    network.partition((node) => groups[node] as number, s.partitionMode)
    progress(
      `partition ${minority.length}|${up.length - minority.length} (${s.partitionKind}, ${s.partitionMode})`,
    )
    const sideDetected = (side: number): boolean =>
      up.every(
        (i) => !host.isUp(i) || groups[i] !== side || observer.partitionReports.get(i)?.detected === true,
      )
    // a side reports a partition when the other side is at least (1 − quorum) of the cluster
    const sides = [0, 1].filter((side) => {
      const other = up.filter((i) => groups[i] !== side).length
      return other / up.length > 1 - config.partitionQuorum
    })
    const detectedMs = runUntilTrue(() => sides.every(sideDetected), 10_000 * scale, true)
    if (detectedMs === null)
      observer.violate('partition-detected', scheduler.now, 'a side never reported the partition')
    runFor(2_000 * scale)
    network.heal()
    lastGroups = groupOf
    groupOf = undefined
    healedAt = scheduler.now
    progress('healed')
    const healedMs = runUntilTrue(converged, 30_000 * scale, true)
    partitionReport = { detectedMs, healedMs }
  }

  // ── phase 5: liveness — faults stop, one correct view must follow ──
  network.setFaultRates({ lossRate: 0, duplicateRate: 0, reorderRate: 0 })
  network.heal()
  progress('liveness phase')
  const convergenceAfterFaultsMs = runUntilTrue(
    () => converged() && upNodes().every((i) => crashedSeenGone(i)),
    60_000 * scale,
    false,
  )
  if (convergenceAfterFaultsMs === null) {
    observer.violate(
      'liveness',
      scheduler.now,
      `no single correct view within ${60_000 * scale} ms: ${describeDisagreement()}`,
    )
  }
  if (s.lossRate === 0 && !s.partition && observer.falsePositiveEvents > 0) {
    observer.violate(
      'no-false-positives-without-faults',
      scheduler.now,
      `${observer.falselyFailed.size} live members declared failed`,
    )
  }

  function crashedSeenGone(i: number): boolean {
    const core = host.core(i) as Membership
    for (let j = 0; j < s.nodes; j++) {
      if (host.isUp(j)) continue
      const state = core.member(ids[j] as NodeId)?.state
      if (state === 'alive' || state === 'suspect') return false
    }
    return true
  }

  function describeDisagreement(): string {
    for (const i of upNodes()) {
      const core = host.core(i) as Membership
      for (let j = 0; j < s.nodes; j++) {
        if (j === i) continue
        const state = core.member(ids[j] as NodeId)?.state ?? 'unknown'
        const truth = host.isUp(j) ? 'alive' : 'down'
        if ((truth === 'alive') !== (state === 'alive'))
          return `n${i} sees n${j} as ${state} but it is ${truth}`
      }
    }
    return 'no disagreement found'
  }

  // ── report ──
  const observers = upNodes().filter((i) => !observer.everCrashed.has(i))
  const { samples, missed } = observer.detections(observers)
  samples.sort((a, b) => a - b)
  const simulatedMs = scheduler.now
  const wallMs = performance.now() - wallStart
  const nodeMinutes = (s.nodes * simulatedMs) / 60_000
  const dropped = { updates: 0, events: 0, outbox: 0, requests: 0 }
  for (const i of upNodes()) {
    const stats = (host.core(i) as Membership).stats
    dropped.updates += stats.updatesDropped
    dropped.events += stats.eventsDropped
    dropped.outbox += stats.outboxDropped
    dropped.requests += stats.requestsDropped
  }
  if (host.traffic.rejectedFrames > 0) {
    observer.violate(
      'codec-round-trip',
      scheduler.now,
      `${host.traffic.rejectedFrames} honest frames failed to decode`,
    )
  }
  const round = (value: number): number => Math.round(value * 10) / 10
  return {
    nodes: s.nodes,
    seed: s.seed,
    profile: s.profile,
    faults: describeScenarioFaults(s),
    detection: {
      p50Ms: round(percentile(samples, 50)),
      p99Ms: round(percentile(samples, 99)),
      maxMs: round(samples.at(-1) ?? Number.NaN),
      samples: samples.length,
      missed,
    },
    detectionSamplesMs: samples.map(round),
    falsePositives: observer.falselyFailed.size,
    falsePositiveEvents: observer.falsePositiveEvents,
    falsePositivesPerNodeHour: observer.falsePositiveEvents / (nodeMinutes / 60),
    nodeMinutes: round(nodeMinutes),
    joinConvergenceMs: joinConvergenceMs === null ? null : round(joinConvergenceMs),
    partition: partitionReport,
    convergenceAfterFaultsMs: convergenceAfterFaultsMs === null ? null : round(convergenceAfterFaultsMs),
    messagesPerNodePerSecond: round(host.traffic.messagesSent / s.nodes / (simulatedMs / 1000)),
    bytesPerNodePerSecond: round(host.traffic.bytesSent / s.nodes / (simulatedMs / 1000)),
    steadyBytesPerNodePerSecond: round(steadyBytesPerNodePerSecond),
    simulatedMs: round(simulatedMs),
    wallMs: Math.round(wallMs),
    events: scheduler.eventsRun,
    eventsPerSecond: Math.round(scheduler.eventsRun / (wallMs / 1000)),
    rejectedFrames: host.traffic.rejectedFrames,
    dropped,
    ok: violations.length === 0,
    violations,
    replay: replayCommand(input),
  }
}

function describeScenarioFaults(s: MembershipScenario): string {
  if (s.swarm) {
    return describeFaultMix(deriveFaultMix(new Random(s.seed).fork('fault-mix')))
  }
  const parts = [`loss ${s.lossRate}`, `crashes ${s.crashes}`]
  if (s.partition) parts.push(`partition ${s.partitionMode}`)
  return parts.join(', ')
}
