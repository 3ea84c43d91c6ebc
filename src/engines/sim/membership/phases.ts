/**
 * The phases of a simulated membership run, in order: join, steady state, crashes (some graceful, some
 * restarting), partition and heal, and the liveness phase in which faults stop and one correct view must
 * follow (TigerBeetle VOPR's safety-then-liveness structure). Each phase drives the `SimulatedCluster` and
 * returns what the report needs.
 */
import { type Millis, StandInSigner } from '../../../kernel/index.ts'
import { DEFAULT_PROFILE, type MemberRecord, signedRecordBytes } from '../../../protocols/membership/index.ts'
import { drawPartitionGroups } from '../partition-groups.ts'
import type { SimulatedCluster } from './simulation.ts'

/** How long a leaving node keeps running to let its leave announcement out (as the daemon will). */
const LEAVE_FLUSH_MS = 200

export type Progress = (line: string) => void

/** Starts every node; returns the time from the last start until one view (0 when starting converged). */
export function joinPhase(c: SimulatedCluster, progress: Progress): Millis | null {
  const s = c.scenario
  if (s.start === 'converged') {
    const records: MemberRecord[] = c.ids.map((id, i) => {
      const record = {
        id,
        incarnation: 0,
        state: 'alive' as const,
        addresses: [`/sim/${i}`],
        profile: { ...DEFAULT_PROFILE, connectionClass: s.connectionClass },
      }
      // each node signs its own record, as it would have on its first start
      return { ...record, signature: new StandInSigner(id).sign(signedRecordBytes(record)) }
    })
    for (let i = 0; i < s.nodes; i++) c.host.start(i, (_node, now) => c.core(i).restore(now, records))
    return 0
  }
  const seeds = c.ids.slice(0, Math.min(3, s.nodes))
  const spreadMs = Math.min(2_000, s.nodes) * c.scale
  let lastStart = 0
  for (let i = 0; i < s.nodes; i++) {
    const at = i === 0 ? 0 : c.random.float() * spreadMs
    lastStart = Math.max(lastStart, at)
    c.scheduler.at(at, () =>
      c.host.start(i, (node, now) => node.hint(now, { kind: 'seeds', peers: i === 0 ? [] : seeds })),
    )
  }
  progress(`joining ${s.nodes} nodes`)
  c.scheduler.runUntil(lastStart)
  const joinMs = c.runUntilTrue(() => c.converged(), 60_000 * c.scale + s.nodes * 20)
  if (joinMs === null)
    c.observer.violate('join-converges', c.scheduler.now, 'nodes did not all see each other')
  return joinMs
}

/** A quiet stretch before the faults (false positives are still counted); returns its bytes per node per second. */
export function steadyPhase(c: SimulatedCluster, progress: Progress): number {
  progress('steady state')
  const bytesBefore = c.host.traffic.bytesSent
  const start = c.scheduler.now
  c.runFor(c.scenario.steadyMs)
  return (c.host.traffic.bytesSent - bytesBefore) / c.scenario.nodes / ((c.scheduler.now - start) / 1000)
}

/** Crashes nodes one after another; some leave gracefully first, some restart after a while. */
export function crashPhase(c: SimulatedCluster, progress: Progress): void {
  const s = c.scenario
  const spacingMs = 2_000 * c.scale
  const victims = c.random.sample(
    c.ids.map((_, i) => i),
    Math.min(s.crashes, Math.max(0, s.nodes - 2)),
  )
  if (victims.length > 0) progress(`crashing ${victims.length} nodes`)
  // a separate stream, so that adding graceful leaves did not change which nodes each seed crashes
  const leaveRandom = c.root.fork('leaves')
  for (const victim of victims) {
    c.observer.crashed(victim, c.scheduler.now)
    if (leaveRandom.chance(s.leaveProbability)) {
      // a graceful leave: announce, keep the process up for a short flush, then stop it
      c.host.poke(victim, (node, now) => node.hint(now, { kind: 'leave' }))
      c.runFor(LEAVE_FLUSH_MS * c.scale)
    }
    c.host.crash(victim)
    c.runFor(spacingMs)
    if (c.random.chance(s.restartProbability)) c.restart(victim)
  }
  c.runFor(spacingMs)
}

/**
 * Cuts the cluster in two, waits until every side that lost more than (1 − quorum) of the cluster reports
 * the partition, then heals and waits for one view.
 */
export function partitionPhase(
  c: SimulatedCluster,
  progress: Progress,
): { detectedMs: number | null; healedMs: number | null } | null {
  const s = c.scenario
  if (!s.partition || s.nodes < 4) return null
  const up = c.upNodes()
  const groups = new Int8Array(s.nodes)
  if (s.partitionKind === 'minority') {
    for (const i of c.random.sample(up, Math.max(1, Math.floor(up.length * 0.4)))) groups[i] = 1
  } else {
    const draw = drawPartitionGroups(c.random, s.partitionKind, s.nodes)
    for (let i = 0; i < s.nodes; i++) groups[i] = draw(i)
  }
  const minority = up.filter((i) => groups[i] === 1)
  c.partition(groups)
  progress(
    `partition ${minority.length}|${up.length - minority.length} (${s.partitionKind}, ${s.partitionMode})`,
  )
  const sideDetected = (side: number): boolean =>
    up.every(
      (i) => !c.host.isUp(i) || groups[i] !== side || c.observer.partitionReports.get(i)?.detected === true,
    )
  const sides = [0, 1].filter((side) => {
    const other = up.filter((i) => groups[i] !== side).length
    return other / up.length > 1 - c.config.partitionQuorum
  })
  const detectedMs = c.runUntilTrue(() => sides.every(sideDetected), 10_000 * c.scale)
  if (detectedMs === null) {
    c.observer.violate('partition-detected', c.scheduler.now, 'a side never reported the partition')
  }
  c.runFor(2_000 * c.scale)
  c.heal()
  progress('healed')
  const healedMs = c.runUntilTrue(() => c.converged(), 30_000 * c.scale)
  return { detectedMs, healedMs }
}

/** Faults stop; within the bound every live node must see every live node alive and every down one gone. */
export function livenessPhase(c: SimulatedCluster, progress: Progress): Millis | null {
  c.network.setFaultRates({ lossRate: 0, duplicateRate: 0, reorderRate: 0 })
  c.network.heal()
  progress('liveness phase')
  const limitMs = 60_000 * c.scale
  const convergedMs = c.runUntilTrue(
    () => c.converged() && c.upNodes().every((i) => c.seesDownNodesGone(i)),
    limitMs,
    false,
  )
  if (convergedMs === null) {
    c.observer.violate(
      'liveness',
      c.scheduler.now,
      `no single correct view within ${limitMs} ms: ${c.describeDisagreement()}`,
    )
  }
  return convergedMs
}
