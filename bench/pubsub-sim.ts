/**
 * Question: how many publications a second can pub/sub carry over a simulated overlay of 1,000 nodes
 * on 5–150 ms links, and how long does a publication take to reach every subscriber (publish → receive,
 * simulated ms), without loss and at 5 % loss?
 *
 * Each case is `runPubSubSimulation` (src/protocols/pubsub/testing/pubsub-simulation.ts): the overlay
 * joins through three contacts and runs 10 s more; every node subscribes `ordered`, every tenth also
 * `as-arrives` and `latest-only`; then `--publishers` publishers publish at a steady interval for
 * `--seconds`, at each of `--rates` (publications a second over all publishers); loss applies from the
 * first publication on. Per case: deliveries owed and made, missing, duplicates, out of order and gaps
 * skipped; publish → receive p50/p99/max at the `ordered` subscriptions; the longest a publication was
 * held back behind a gap; broadcast messages and bytes per node; the wall time of the run and the
 * deliveries the simulator made per wall second.
 *
 * Usage: node bench/pubsub-sim.ts [--nodes 1000] [--rates 20,100,400,1000] [--losses 0,0.05]
 *          [--publishers 4] [--seconds 2] [--seed 1]
 * Writes bench/results/pubsub-sim-<date>.json.
 */
import { parseArgs } from 'node:util'
import {
  PUBSUB_SCENARIO_DEFAULTS,
  type PubSubReport,
  runPubSubSimulation,
} from '../src/protocols/pubsub/testing/pubsub-simulation.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    rates: { type: 'string', default: '20,100,400,1000' },
    losses: { type: 'string', default: '0,0.05' },
    publishers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
})

const nodes = Number(values.nodes)
const rates = values.rates.split(',').map(Number)
const losses = values.losses.split(',').map(Number)
const publishers = Number(values.publishers)
const seconds = Number(values.seconds)
const seed = Number(values.seed)

interface Row extends PubSubReport {
  readonly wallMs: number
  readonly deliveriesPerWallS: number
}

const rows: Row[] = []
for (const rate of rates) {
  for (const lossRate of losses) {
    const count = Math.max(1, Math.round((rate * seconds) / publishers))
    const started = performance.now()
    const report = runPubSubSimulation({
      ...PUBSUB_SCENARIO_DEFAULTS,
      nodes,
      seed,
      lossRate,
      publishers,
      publicationsPerPublisher: count,
      // each publisher publishes every `intervalMs`: `rate` a second over all of them
      intervalMs: (publishers * 1_000) / rate,
    })
    const wallMs = Math.round(performance.now() - started)
    rows.push({ ...report, wallMs, deliveriesPerWallS: Math.round((report.deliveries * 1_000) / wallMs) })
    const { ordered } = report.modes
    process.stderr.write(
      `n=${nodes} rate=${rate}/s loss=${lossRate}: ordered ${ordered.delivered}/${ordered.expected}, gaps ${report.gapSkips}, ` +
        `p50/p99/max ${report.latency.p50Ms}/${report.latency.p99Ms}/${report.latency.maxMs} ms, wall ${wallMs} ms\n`,
    )
  }
}

const path = writeResult('pubsub-sim', {
  command: `node bench/pubsub-sim.ts --nodes ${nodes} --rates ${values.rates} --losses ${values.losses} --publishers ${publishers} --seconds ${seconds} --seed ${seed}`,
  note: 'latencies and rates are simulated time (deterministic for a seed); wall times depend on the machine and its load',
  rows,
})
process.stdout.write(`${path}\n`)
