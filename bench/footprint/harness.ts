/**
 * One system's turn in the footprint benchmark, measured the same way whatever the system: time from
 * spawn to one converged view, CPU seconds each node spent getting there, idle CPU, memory and loopback
 * traffic over a quiet window, then frozen-node detection (SIGSTOP until every other node reports the
 * victim failed, then SIGCONT and wait for one view again) and killed-node detection (SIGKILL, then a
 * restart on the same identity and ports).
 *
 * A detection is stamped where a person would see it: the moment the last of the other nodes reported the
 * victim failed, as that report reaches this process (an event stream for Meshwork, a log line for Serf).
 */
import { cpuSeconds, type LoopbackCounters, loopbackCounters, round, rssMiB, sleep } from './proc.ts'

/** A failure report: node `observer` said node `subject` failed (or left), seen here at `at`. */
export interface FailureReport {
  readonly observer: number
  readonly subject: number
  readonly at: number
}

/** What the harness needs from a system. Node indexes run from 0 to `nodes - 1`; node 0 is the seed. */
export interface SystemDriver {
  readonly nodes: number
  /** Spawns every node and resolves once every node sees every other alive. */
  up(): Promise<void>
  pid(index: number): number
  /** Starts collecting failure reports into `reports` (called once, after the idle window). */
  watch(reports: FailureReport[]): Promise<void>
  /** Resolves once every node sees every other alive; rejects after `limitMs`. */
  converged(limitMs: number): Promise<void>
  /** Starts node `index` again after a kill, same identity and ports, and resumes watching it. */
  restart(index: number): Promise<void>
  /** Stops every node it started; never throws. */
  down(): Promise<void>
}

export interface HarnessOptions {
  readonly settleSeconds: number
  readonly idleSeconds: number
  readonly freezes: number
  readonly kills: number
  /** How long one detection may take before it counts as missed. */
  readonly detectLimitMs: number
  readonly recoverLimitMs: number
  /** Whether this process has a network namespace of its own, so that `lo` counts only this system. */
  readonly ownNamespace: boolean
  readonly log: (line: string) => void
}

export interface SystemRun {
  readonly convergeMs: number
  /** CPU seconds each node had used when the cluster converged. */
  readonly startCpuSeconds: readonly number[]
  readonly idle: {
    readonly seconds: number
    readonly cpuPercentOfCore: readonly number[]
    readonly rssMiB: readonly number[]
    /** Loopback traffic of the whole cluster divided by its nodes; null without a namespace of its own. */
    readonly bytesPerSecondPerNode: number | null
    readonly packetsPerSecondPerNode: number | null
  }
  readonly frozen: Detections
  readonly killed: Detections
}

export interface Detections {
  readonly samplesMs: readonly number[]
  readonly missed: number
}

export async function runSystem(driver: SystemDriver, options: HarnessOptions): Promise<SystemRun> {
  const started = performance.now()
  await driver.up()
  const convergeMs = performance.now() - started
  const indexes = Array.from({ length: driver.nodes }, (_, index) => index)
  const startCpuSeconds = indexes.map((index) => round(cpuSeconds(driver.pid(index)), 2))
  options.log(`converged in ${Math.round(convergeMs)} ms; start CPU ${startCpuSeconds.join(' ')} s`)

  await sleep(options.settleSeconds * 1_000)
  const cpuBefore = indexes.map((index) => cpuSeconds(driver.pid(index)))
  const trafficBefore = loopbackCounters()
  const windowStart = performance.now()
  await sleep(options.idleSeconds * 1_000)
  const trafficAfter = loopbackCounters()
  const seconds = (performance.now() - windowStart) / 1_000
  const cpuPercentOfCore = indexes.map((index) =>
    round(((cpuSeconds(driver.pid(index)) - (cpuBefore[index] as number)) / seconds) * 100, 2),
  )
  const rss = indexes.map((index) => round(rssMiB(driver.pid(index))))
  const perNode = (key: keyof LoopbackCounters): number | null =>
    options.ownNamespace ? round((trafficAfter[key] - trafficBefore[key]) / seconds / driver.nodes) : null
  const idle = {
    seconds: round(seconds),
    cpuPercentOfCore,
    rssMiB: rss,
    bytesPerSecondPerNode: perNode('bytes'),
    packetsPerSecondPerNode: perNode('packets'),
  }
  options.log(
    `idle: CPU ${cpuPercentOfCore.join(' ')} %; RSS ${rss.join(' ')} MiB; ${idle.bytesPerSecondPerNode} B/s and ${idle.packetsPerSecondPerNode} packets/s per node`,
  )

  const reports: FailureReport[] = []
  await driver.watch(reports)
  await sleep(500)
  const frozen = await detect(driver, reports, options, options.freezes, 'freeze', async (victim) => {
    process.kill(driver.pid(victim), 'SIGCONT')
    await driver.converged(options.recoverLimitMs)
  })
  const killed = await detect(driver, reports, options, options.kills, 'kill', async (victim) => {
    await driver.restart(victim)
    await driver.converged(options.recoverLimitMs)
  })
  return { convergeMs: Math.round(convergeMs), startCpuSeconds, idle, frozen, killed }
}

/** Stops (SIGSTOP) or kills (SIGKILL) one non-seed node after another and times each detection. */
async function detect(
  driver: SystemDriver,
  reports: FailureReport[],
  options: HarnessOptions,
  rounds: number,
  kind: 'freeze' | 'kill',
  recover: (victim: number) => Promise<void>,
): Promise<Detections> {
  const samplesMs: number[] = []
  let missed = 0
  for (let round_ = 0; round_ < rounds; round_++) {
    const victim = 1 + (round_ % (driver.nodes - 1))
    const from = reports.length
    const at = performance.now()
    process.kill(driver.pid(victim), kind === 'freeze' ? 'SIGSTOP' : 'SIGKILL')
    const last = await lastReport(reports, from, victim, driver.nodes, options.detectLimitMs)
    if (last === undefined) missed++
    else samplesMs.push(round(last - at))
    options.log(
      `${kind} ${round_ + 1}/${rounds} (node ${victim}): ${last === undefined ? 'missed' : `${Math.round(last - at)} ms`}`,
    )
    await recover(victim)
    await sleep(300)
  }
  return { samplesMs, missed }
}

/** When every node but `victim` has reported it failed: the time of the last of those reports. */
async function lastReport(
  reports: readonly FailureReport[],
  from: number,
  victim: number,
  nodes: number,
  limitMs: number,
): Promise<number | undefined> {
  const end = performance.now() + limitMs
  for (;;) {
    const firstByObserver = new Map<number, number>()
    for (let i = from; i < reports.length; i++) {
      const report = reports[i] as FailureReport
      if (report.subject === victim && !firstByObserver.has(report.observer))
        firstByObserver.set(report.observer, report.at)
    }
    firstByObserver.delete(victim)
    if (firstByObserver.size === nodes - 1) return Math.max(...firstByObserver.values())
    if (performance.now() > end) return undefined
    await sleep(5)
  }
}
