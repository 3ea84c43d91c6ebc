/**
 * Question: how many events per second does the simulator's scheduler sustain on the reference flood?
 *
 * The reference (docs: shared/reference/mesh.md §7, "Simulator performance"): N nodes, each with 6 ring
 * neighbours (±1, ±2, ±3; 5–20 ms) and 2 random long links (20–150 ms), 0.2 ms of processing per hop. One
 * flood starts at node 0; each node forwards to all 8 of its links on first receipt. A 1 ms timing wheel
 * ran 3.8–7.3 M events/s there; the target for Meshwork's scheduler is ≥ 1 M events/s.
 *
 * Every message is one event; processing time is folded into the delivery time rather than scheduled as an
 * event of its own. Adjacency lives in typed arrays (8 links per node). `--events` chooses how a delivery
 * is scheduled: `closures` allocates one closure per message (`at`), as a runner that captures message
 * objects does; `payload` passes the target node to one shared handler (`atWith`) and allocates nothing,
 * as the reference's typed-array queue did.
 *
 * Usage: node bench/sim-scheduler.ts [--nodes 1000000] [--events closures|payload] [--seed 1] [--tick-ms 0.1]
 * Prints one JSON line and appends it to bench/results/sim-scheduler-<date>.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { Scheduler } from '../src/engines/sim/scheduler.ts'
import { Random } from '../src/kernel/random.ts'

const RING_OFFSETS = [-3, -2, -1, 1, 2, 3] as const
const LONG_LINKS = 2
const LINKS_PER_NODE = RING_OFFSETS.length + LONG_LINKS
const RING_LATENCY_MS = { min: 5, max: 20 }
const LONG_LATENCY_MS = { min: 20, max: 150 }
const PROCESSING_MS = 0.2

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'tick-ms': { type: 'string', default: '0.1' },
    events: { type: 'string', default: 'closures' },
  },
})
const eventsMode = values.events
if (eventsMode !== 'closures' && eventsMode !== 'payload') {
  throw new RangeError(`--events must be closures or payload, got ${eventsMode}`)
}
const nodeCount = Number(values.nodes)
const seed = Number(values.seed)
const tickMs = Number(values['tick-ms'])
if (!(Number.isInteger(nodeCount) && nodeCount >= 8))
  throw new RangeError(`--nodes must be ≥ 8, got ${values.nodes}`)

interface Topology {
  targets: Int32Array
  latenciesMs: Float32Array
}

function buildTopology(random: Random): Topology {
  const targets = new Int32Array(nodeCount * LINKS_PER_NODE)
  const latenciesMs = new Float32Array(nodeCount * LINKS_PER_NODE)
  for (let node = 0; node < nodeCount; node++) {
    const base = node * LINKS_PER_NODE
    let k = 0
    for (const offset of RING_OFFSETS) {
      targets[base + k] = (node + offset + nodeCount) % nodeCount
      latenciesMs[base + k] = random.floatBetween(RING_LATENCY_MS.min, RING_LATENCY_MS.max)
      k++
    }
    for (let j = 0; j < LONG_LINKS; j++) {
      let target = random.intBelow(nodeCount)
      while (target === node) target = random.intBelow(nodeCount)
      targets[base + k] = target
      latenciesMs[base + k] = random.floatBetween(LONG_LATENCY_MS.min, LONG_LATENCY_MS.max)
      k++
    }
  }
  return { targets, latenciesMs }
}

interface FloodResult {
  events: number
  wallMs: number
  reachedMs: { half: number; p99: number; all: number }
  informed: number
  peakPending: number
}

function flood(topology: Topology): FloodResult {
  const { targets, latenciesMs } = topology
  const scheduler = new Scheduler({ tickMs })
  const informed = new Uint8Array(nodeCount)
  let informedCount = 0
  const reachedMs = { half: Number.NaN, p99: Number.NaN, all: Number.NaN }
  const half = Math.ceil(nodeCount / 2)
  const p99 = Math.ceil(nodeCount * 0.99)
  let peakPending = 0

  const receive = (node: number, now: number): void => {
    if (informed[node] === 1) return
    informed[node] = 1
    informedCount++
    if (informedCount === half) reachedMs.half = now
    if (informedCount === p99) reachedMs.p99 = now
    if (informedCount === nodeCount) reachedMs.all = now
    if (scheduler.pending > peakPending) peakPending = scheduler.pending
    const base = node * LINKS_PER_NODE
    const sendAt = now + PROCESSING_MS
    for (let k = 0; k < LINKS_PER_NODE; k++) {
      const target = targets[base + k] as number
      const arriveAt = sendAt + (latenciesMs[base + k] as number)
      if (eventsMode === 'payload') scheduler.atWith(arriveAt, deliver, target)
      else scheduler.at(arriveAt, (at) => receive(target, at))
    }
  }
  const deliver = (now: number, node: number): void => receive(node, now)

  const started = performance.now()
  scheduler.at(0, (now) => receive(0, now))
  scheduler.runUntil(Number.POSITIVE_INFINITY)
  const wallMs = performance.now() - started
  return { events: scheduler.eventsRun, wallMs, reachedMs, informed: informedCount, peakPending }
}

const setupStarted = performance.now()
const topology = buildTopology(new Random(seed).fork('topology'))
const setupMs = performance.now() - setupStarted
const result = flood(topology)
const memory = process.memoryUsage()
const date = new Date().toISOString().slice(0, 10)
const round = (x: number, digits = 1): number => Number(x.toFixed(digits))

const record = {
  benchmark: 'sim-scheduler',
  date,
  nodes: nodeCount,
  linksPerNode: LINKS_PER_NODE,
  scheduledAs: eventsMode,
  seed,
  tickMs,
  events: result.events,
  wallMs: round(result.wallMs),
  eventsPerSecond: Math.round(result.events / (result.wallMs / 1000)),
  informed: result.informed,
  peakPending: result.peakPending,
  simulatedMsToHalf: round(result.reachedMs.half, 2),
  simulatedMsTo99: round(result.reachedMs.p99, 2),
  simulatedMsToAll: round(result.reachedMs.all, 2),
  setupMs: round(setupMs),
  rssMb: round(memory.rss / 2 ** 20),
  heapUsedMb: round(memory.heapUsed / 2 ** 20),
  node: process.version,
  availableParallelism: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  platform: `${process.platform}-${process.arch}`,
}
console.log(JSON.stringify(record))

// Keep every run of the day, so the medians of repeated runs can be read back later.
const resultsDir = new URL('./results/', import.meta.url)
mkdirSync(resultsDir, { recursive: true })
const resultsFile = new URL(`sim-scheduler-${date}.json`, resultsDir)
const runs: unknown[] = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).runs : []
runs.push(record)
writeFileSync(resultsFile, `${JSON.stringify({ benchmark: 'sim-scheduler', runs }, null, 2)}\n`)
