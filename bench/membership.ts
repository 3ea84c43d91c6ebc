/**
 * Membership benchmark: crash detection, false positives, bandwidth and simulator speed for the LAN
 * profile at N = 10, 100, 1,000, 5,000, with 0 % and 5 % loss, beside what memberlist's LAN defaults give
 * for the same N by its own formulas (shared/reference/mesh.md §1.2).
 *
 * Each configuration runs seeds until it has at least 20 crash detections (small clusters can only lose a
 * few nodes per run). Detection percentiles pool the samples of all its seeds; false positives are
 * counted over all the node-hours simulated. Runs start from a converged cluster so that detection, not
 * a join storm, is measured.
 *
 * Crashes come `--crash-spacing-ms` apart (2 s): at 2 s each meets a cluster still busy with the last
 * one, at 5 s each meets a quiet cluster whose probing has slowed to its ring monitors (ADR 0013).
 *
 * Usage: node --max-old-space-size=16000 bench/membership.ts [--sizes 10,100,1000,5000] [--losses 0,0.05]
 *          [--min-samples 20] [--soak-node-minutes 10000] [--crash-spacing-ms 2000] [--label name]
 * Writes bench/results/membership-<YYYY-MM-DD>.json (membership-<label>-<YYYY-MM-DD>.json with --label).
 */
import { parseArgs } from 'node:util'
import { runMembershipSimulation } from '../src/engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../src/engines/sim/membership/scenario.ts'
import { percentile } from '../src/engines/sim/membership/statistics.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,1000,5000' },
    losses: { type: 'string', default: '0,0.05' },
    'min-samples': { type: 'string', default: '20' },
    // a false-positive soak: 1,000 nodes at 5 % loss for this many node-minutes, no crashes
    'soak-node-minutes': { type: 'string', default: '10000' },
    // 2 s: each crash meets a cluster still busy with the last one; 5 s: each meets a quiet one (ADR 0013)
    'crash-spacing-ms': { type: 'string', default: '2000' },
    label: { type: 'string' },
  },
})
const sizes = values.sizes.split(',').map(Number)
const losses = values.losses.split(',').map(Number)
const crashSpacingMs = Number(values['crash-spacing-ms'])
const label = values.label
if (!(Number.isInteger(crashSpacingMs) && crashSpacingMs > 0)) {
  throw new Error(`--crash-spacing-ms must be a positive integer, got ${values['crash-spacing-ms']}`)
}
const minSamples = Number(values['min-samples'])

/** memberlist `DefaultLANConfig` and its scaling formulas (`util.go`). */
function memberlistLan(n: number) {
  const probeIntervalMs = 1_000
  const probeTimeoutMs = 500
  const minSuspicionMs = 4 * Math.max(1, Math.log10(n)) * probeIntervalMs
  const maxSuspicionMs = 6 * minSuspicionMs
  return {
    minSuspicionMs,
    maxSuspicionMs,
    retransmits: 4 * Math.ceil(Math.log10(n + 1)),
    // first probe of the dead node after ~1 interval on average, its timeout, then at least the minimum
    // suspicion (reached only with all expected confirmations); dissemination time not included
    detectionLowerBoundMs: probeIntervalMs + probeTimeoutMs + minSuspicionMs,
  }
}

interface Row {
  nodes: number
  lossRate: number
  seeds: number
  detection: { samples: number; missed: number; p50Ms: number; p99Ms: number; maxMs: number }
  falsePositiveEvents: number
  nodeHours: number
  falsePositivesPerNodeHour: number
  falsePositivesPer10kNodeMinutes: number
  bytesPerNodePerSecond: number
  steadyBytesPerNodePerSecond: number
  messagesPerNodePerSecond: number
  eventsPerSecond: { median: number; runs: number[] }
  wallMs: number
  violations: number
  memberlistLan: ReturnType<typeof memberlistLan>
}

const rows: Row[] = []
for (const nodes of sizes) {
  for (const lossRate of losses) {
    const crashes = Math.max(1, Math.min(20, Math.floor(nodes * 0.2)))
    // long steady phases at loss give enough node-minutes to see rare false positives
    const steadyMs = lossRate > 0 ? Math.max(10_000, Math.min(120_000, 6e7 / nodes)) : 10_000
    const samples: number[] = []
    const eventsPerSecond: number[] = []
    let missed = 0
    let fpEvents = 0
    let nodeMinutes = 0
    let bytes = 0
    let steadyBytes = 0
    let messages = 0
    let wallMs = 0
    let violations = 0
    let seed = 1
    for (; samples.length < minSamples; seed++) {
      const report = runMembershipSimulation({
        ...SCENARIO_DEFAULTS,
        nodes,
        seed,
        lossRate,
        crashes,
        start: 'converged',
        steadyMs,
        crashSpacingMs,
      })
      violations += report.violations.length
      missed += report.detection.missed
      fpEvents += report.falsePositiveEvents
      nodeMinutes += report.nodeMinutes
      bytes += report.bytesPerNodePerSecond
      steadyBytes += report.steadyBytesPerNodePerSecond
      messages += report.messagesPerNodePerSecond
      wallMs += report.wallMs
      eventsPerSecond.push(report.eventsPerSecond)
      samples.push(...report.detectionSamplesMs)
      process.stderr.write(
        `n=${nodes} loss=${lossRate} seed=${seed}: p99 ${report.detection.p99Ms} ms, ${report.falsePositiveEvents} fp, ${report.wallMs} ms wall\n`,
      )
    }
    const runs = seed - 1
    samples.sort((a, b) => a - b)
    eventsPerSecond.sort((a, b) => a - b)
    const nodeHours = nodeMinutes / 60
    const row: Row = {
      nodes,
      lossRate,
      seeds: runs,
      detection: {
        samples: samples.length,
        missed,
        p50Ms: percentile(samples, 50),
        p99Ms: percentile(samples, 99),
        maxMs: samples.at(-1) ?? Number.NaN,
      },
      falsePositiveEvents: fpEvents,
      nodeHours: Math.round(nodeHours * 10) / 10,
      falsePositivesPerNodeHour: fpEvents / nodeHours,
      falsePositivesPer10kNodeMinutes: (fpEvents / nodeMinutes) * 10_000,
      bytesPerNodePerSecond: Math.round(bytes / runs),
      steadyBytesPerNodePerSecond: Math.round(steadyBytes / runs),
      messagesPerNodePerSecond: Math.round((messages / runs) * 10) / 10,
      eventsPerSecond: { median: percentile(eventsPerSecond, 50), runs: eventsPerSecond },
      wallMs,
      violations,
      memberlistLan: memberlistLan(nodes),
    }
    rows.push(row)
    process.stdout.write(`${JSON.stringify(row)}\n`)
  }
}

/**
 * False positives are rare events: the target (at most one per 10,000 node-minutes at 5 % loss) needs at
 * least that many node-minutes of a steady lossy cluster to say anything.
 */
const soakNodeMinutes = Number(values['soak-node-minutes'])
let soak: Record<string, unknown> | null = null
if (soakNodeMinutes > 0) {
  const nodes = 1_000
  const lossRate = 0.05
  const steadyMs = (soakNodeMinutes / nodes) * 60_000
  const report = runMembershipSimulation({
    ...SCENARIO_DEFAULTS,
    nodes,
    seed: 1,
    lossRate,
    crashes: 0,
    start: 'converged',
    steadyMs,
  })
  soak = {
    nodes,
    lossRate,
    nodeMinutes: report.nodeMinutes,
    falsePositiveEvents: report.falsePositiveEvents,
    falselyFailedMembers: report.falsePositives,
    falsePositivesPer10kNodeMinutes: (report.falsePositiveEvents / report.nodeMinutes) * 10_000,
    steadyBytesPerNodePerSecond: report.steadyBytesPerNodePerSecond,
    eventsPerSecond: report.eventsPerSecond,
    wallMs: report.wallMs,
    violations: report.violations.length,
    replay: report.replay,
  }
  process.stdout.write(`soak: ${JSON.stringify(soak)}\n`)
}

const path = writeResult(label === undefined ? 'membership' : `membership-${label}`, {
  connectionClass: 'lan',
  start: 'converged',
  crashSpacingMs,
  rows,
  soak,
})

const table = [
  '| N | loss | crashes | detection p50 | p99 | max | false positives / node-hour | B/node/s (steady) | sim events/s | memberlist LAN: min suspicion | detection ≥ |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.nodes} | ${r.lossRate * 100} % | ${r.detection.samples} | ${Math.round(r.detection.p50Ms)} ms | ${Math.round(r.detection.p99Ms)} ms | ${Math.round(r.detection.maxMs)} ms | ${r.falsePositivesPerNodeHour.toFixed(3)} (${r.falsePositiveEvents} in ${r.nodeHours} h) | ${r.bytesPerNodePerSecond} (${r.steadyBytesPerNodePerSecond}) | ${Math.round(r.eventsPerSecond.median).toLocaleString('en-US')} | ${(r.memberlistLan.minSuspicionMs / 1000).toFixed(1)} s | ${(r.memberlistLan.detectionLowerBoundMs / 1000).toFixed(1)} s |`,
  ),
]
process.stdout.write(`\n${table.join('\n')}\n\nwritten to ${path}\n`)
