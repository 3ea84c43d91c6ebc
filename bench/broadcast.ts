/**
 * Question: how fast does a broadcast cover a simulated overlay of N nodes on 5–150 ms links, at what
 * cost per node, with and without loss — the flood of the first broadcast, and the pruned tree of the
 * later ones? Issue 9's targets: 1,000 nodes covered within 300 ms of simulated time, also at 5 % loss;
 * a million within 1 s, the run within 60 s of wall time.
 *
 * Each case is `runBroadcastSimulation` (src/engines/sim/broadcast/broadcast-simulation.ts): the overlay
 * joins through three contacts and runs 5 s more, then three broadcasts from random live nodes, 2 s
 * apart; loss applies from the first broadcast on. Per case: the overlay's settle time, and per broadcast
 * coverage, delivery delay p50/p99/max, the longest path in hops, broadcast messages, bytes and
 * duplicates per node, grafts; and the wall time of the whole run.
 *
 * Usage: node --max-old-space-size=16000 bench/broadcast.ts [--sizes 1000,10000] [--losses 0,0.05]
 *          [--seed 1]
 * Writes bench/results/broadcast-<date>.json.
 */
import { parseArgs } from 'node:util'
import {
  BROADCAST_SCENARIO_DEFAULTS,
  type BroadcastReport,
  runBroadcastSimulation,
} from '../src/engines/sim/broadcast/broadcast-simulation.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    losses: { type: 'string', default: '0,0.05' },
    seed: { type: 'string', default: '1' },
  },
})

const sizes = values.sizes.split(',').map(Number)
const losses = values.losses.split(',').map(Number)
const seed = Number(values.seed)
const rows: BroadcastReport[] = []
for (const nodes of sizes) {
  for (const lossRate of losses) {
    const report = runBroadcastSimulation({ ...BROADCAST_SCENARIO_DEFAULTS, nodes, seed, lossRate })
    rows.push(report)
    const all = [report.first, ...report.later]
    process.stderr.write(
      `n=${nodes} loss=${lossRate}: coverage ${all.map((o) => o.coverage).join('/')}, max ${all
        .map((o) => o.convergence.maxMs)
        .join('/')} ms, wall ${report.wallMs} ms\n`,
    )
  }
}

const thousand = rows.filter((row) => row.nodes === 1_000)
const path = writeResult('broadcast', {
  command: `node --max-old-space-size=16000 bench/broadcast.ts --sizes ${values.sizes} --losses ${values.losses} --seed ${seed}`,
  targets: {
    thousandNodesFloodMaxMs: {
      value: thousand.map((row) => ({ lossRate: row.lossRate, maxMs: row.first.convergence.maxMs })),
      limit: 300,
      met: thousand.every((row) => row.first.convergence.maxMs <= 300 && row.first.coverage === 1),
    },
    thousandNodesTreeMaxMs: {
      value: thousand.map((row) => ({
        lossRate: row.lossRate,
        maxMs: row.later.map((o) => o.convergence.maxMs),
      })),
      limit: 300,
      met: thousand.every((row) => row.later.every((o) => o.convergence.maxMs <= 300 && o.coverage === 1)),
    },
  },
  rows,
})
process.stdout.write(`${path}\n`)
