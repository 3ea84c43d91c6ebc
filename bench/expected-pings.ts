/**
 * PROTOTYPE for the lead: crash detection against probing cost in the simulator, plain SWIM round-robin
 * against expected pings (`expectedPingGraceMs` in the membership config), over probe intervals.
 *
 * Each configuration runs the same seeds from a converged cluster with 20 % of the nodes crashed one after
 * another (at least one), as bench/membership.ts does; detection percentiles pool every crash.
 *
 * Usage: node bench/expected-pings.ts [--nodes 10] [--seeds 500] [--loss 0]
 *          [--configs '[{"probeIntervalMs":100},{"probeIntervalMs":200,"expectedPingGraceMs":50}]']
 * Writes bench/results/expected-pings-<nodes>-<YYYY-MM-DD>.json.
 */
import { parseArgs } from 'node:util'
import { percentile } from '../src/engines/sim/membership/observer.ts'
import { runMembershipSimulation } from '../src/engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../src/engines/sim/membership/scenario.ts'
import type { MembershipConfig } from '../src/protocols/membership/index.ts'
import { writeResult } from './results-file.ts'

const DEFAULT_CONFIGS: Partial<MembershipConfig>[] = [
  { probeIntervalMs: 100, expectedPingGraceMs: 0 },
  { probeIntervalMs: 200, expectedPingGraceMs: 0 },
  { probeIntervalMs: 100, expectedPingGraceMs: 50 },
  { probeIntervalMs: 150, expectedPingGraceMs: 50 },
  { probeIntervalMs: 200, expectedPingGraceMs: 50 },
  { probeIntervalMs: 250, expectedPingGraceMs: 50 },
]
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    seeds: { type: 'string', default: '500' },
    loss: { type: 'string', default: '0' },
    configs: { type: 'string' },
  },
})
const nodes = Number(values.nodes)
const seeds = Number(values.seeds)
const lossRate = Number(values.loss)
const configs =
  values.configs === undefined ? DEFAULT_CONFIGS : (JSON.parse(values.configs) as Partial<MembershipConfig>[])

const rows = configs.map((config) => {
  const samples: number[] = []
  let missed = 0
  let falsePositiveEvents = 0
  let violations = 0
  let messages = 0
  let steadyBytes = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const report = runMembershipSimulation({
      ...SCENARIO_DEFAULTS,
      nodes,
      seed,
      lossRate,
      crashes: Math.max(1, Math.floor(nodes * 0.2)),
      start: 'converged',
      config,
    })
    samples.push(...report.detectionSamplesMs)
    missed += report.detection.missed
    falsePositiveEvents += report.falsePositiveEvents
    violations += report.violations.length
    messages += report.messagesPerNodePerSecond
    steadyBytes += report.steadyBytesPerNodePerSecond
  }
  samples.sort((a, b) => a - b)
  const row = {
    config,
    detection: {
      samples: samples.length,
      missed,
      p50Ms: percentile(samples, 50),
      p90Ms: percentile(samples, 90),
      p99Ms: percentile(samples, 99),
      maxMs: samples.at(-1) ?? Number.NaN,
    },
    falsePositiveEvents,
    violations,
    messagesPerNodePerSecond: Math.round((messages / seeds) * 10) / 10,
    steadyBytesPerNodePerSecond: Math.round(steadyBytes / seeds),
  }
  process.stdout.write(`${JSON.stringify(row)}\n`)
  return row
})
writeResult(`expected-pings-${nodes}`, { nodes, seeds, lossRate, rows })
