/**
 * Question: what does the overlay cost, and how fast does it settle and heal, from 1,000 to 100,000
 * simulated nodes running it without membership (as the million-node simulation will)?
 *
 * Each size runs in a fresh child process (its heap and JIT state do not bleed into the next) with
 * `--expose-gc`, on the LAN link model and preset, one seed:
 * - **settle**: every node starts within 2 s and joins through three contacts; the simulated time (from
 *   the first start) until all are up, the active graph is one component and every degree is ≥ 1;
 * - **steady state**: after a further warm-up, messages and bytes per node per simulated second over a
 *   window, and the shape of the graph (degrees, long links, asymmetric pairs);
 * - **memory**: heap retained per node by the whole simulation (MeshNode, overlay core, the host's share)
 *   once settled, against the heap before any node started; and, apart, per bare overlay core holding a
 *   full active and passive view;
 * - **repair**: 30 % of the nodes crash at once; the simulated time until the survivors' graph is one
 *   component with every degree ≥ 1 and no survivor holds a dead neighbour.
 * Wall times are reported beside each phase (the machine is shared: compare within one run).
 *
 * Usage: node bench/overlay.ts [--sizes 1000,10000,100000] [--seed 1] [--class lan]
 * Writes bench/results/overlay-<YYYY-MM-DD>.json.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { OverlayGraph } from '../src/engines/sim/overlay/overlay-graph.ts'
import {
  OVERLAY_SCENARIO_DEFAULTS,
  OverlaySimulation,
} from '../src/engines/sim/overlay/overlay-simulation.ts'
import { type ConnectionClass, Random } from '../src/kernel/index.ts'
import { Overlay, overlayConfig } from '../src/protocols/overlay/index.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    seed: { type: 'string', default: '1' },
    class: { type: 'string', default: 'lan' },
    'warmup-ms': { type: 'string', default: '10000' },
    'window-ms': { type: 'string', default: '10000' },
    // internal: run one size in this process and print its result as JSON
    case: { type: 'string' },
  },
})

const CHECK_STEP_MS = 100
const CORES_FOR_MEMORY = 10_000

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error('run the case with --expose-gc')
  collect()
  collect()
}

function heapBytes(): number {
  gc()
  return process.memoryUsage().heapUsed
}

function shape(graph: OverlayGraph): Record<string, unknown> {
  return {
    upNodes: graph.upNodes,
    components: graph.components,
    minDegree: graph.minDegree,
    maxDegree: graph.maxDegree,
    meanDegree: Number(graph.meanDegree.toFixed(3)),
    degreeHistogram: graph.degreeHistogram,
    meanLongLinks: Number(graph.meanLongLinks.toFixed(3)),
    withFullLongQuota: graph.withFullLongQuota,
    asymmetricPairs: graph.asymmetricCount,
    holdersOfDead: graph.holdersOfDead,
  }
}

/** Heap per bare overlay core with a full active view (5) and passive view (30), ids shared. */
function coreBytes(connectionClass: ConnectionClass): number {
  const config = overlayConfig(connectionClass)
  const ids = Array.from({ length: CORES_FOR_MEMORY + 64 }, (_, i) => `n${i}`)
  const random = new Random('core-memory')
  const before = heapBytes()
  const cores: Overlay[] = []
  for (let i = 0; i < CORES_FOR_MEMORY; i++) {
    const core = new Overlay({ self: `self-${i}`, config, random: random.fork(`core-${i}`), now: 0 })
    for (let k = 0; k < config.activeViewSize; k++) {
      core.receive(0, ids[(i + k) % ids.length] as string, {
        type: 'neighbor',
        priority: 'high',
        long: k < 2,
      })
    }
    const friend = ids[i % ids.length] as string
    for (let k = 0; k < 5; k++) {
      const sample = Array.from(
        { length: 7 },
        (_, j) => ids[(i * 7 + k * 7 + j + 100) % ids.length] as string,
      )
      core.receive(0, friend, {
        type: 'shuffle',
        origin: ids[(i + 50 + k) % ids.length] as string,
        ttl: 1,
        sample,
      })
    }
    core.takeOutbox()
    core.takeEvents()
    cores.push(core)
  }
  const after = heapBytes()
  if (cores.some((core) => core.activeCount !== config.activeViewSize)) throw new Error('views not full')
  return Math.round((after - before) / CORES_FOR_MEMORY)
}

function runCase(nodes: number, seed: number, connectionClass: ConnectionClass): Record<string, unknown> {
  const warmupMs = Number(values['warmup-ms'])
  const windowMs = Number(values['window-ms'])
  const wallStart = performance.now()
  const sim = new OverlaySimulation({ ...OVERLAY_SCENARIO_DEFAULTS, nodes, seed, connectionClass })
  const heapBefore = heapBytes()

  sim.startAll()
  const settleMs = sim.runUntil(
    (graph) => graph.upNodes === nodes && graph.components === 1 && graph.minDegree >= 1,
    60_000,
    CHECK_STEP_MS,
  )
  const settleWallMs = performance.now() - wallStart

  sim.run(warmupMs)
  const heapAfter = heapBytes()
  const traffic = sim.host.traffic
  const messagesBefore = traffic.messagesSent
  const bytesBefore = traffic.bytesSent
  const changesBefore = sim.viewChanges
  const windowWall = performance.now()
  sim.run(windowMs)
  const windowWallMs = performance.now() - windowWall
  const seconds = windowMs / 1_000
  const steady = {
    messagesPerNodePerSecond: Number(((traffic.messagesSent - messagesBefore) / nodes / seconds).toFixed(3)),
    bytesPerNodePerSecond: Number(((traffic.bytesSent - bytesBefore) / nodes / seconds).toFixed(1)),
    viewChangesPerNodePerSecond: Number(((sim.viewChanges - changesBefore) / nodes / seconds).toFixed(4)),
    wallMsPerSimulatedSecond: Math.round(windowWallMs / seconds),
    graph: shape(sim.graph()),
    linkRttsMs: sim.linkRtts(),
  }

  const crashed = sim.crashRandom(Math.floor(nodes * 0.3)).length
  const repairWall = performance.now()
  const repairMs = sim.runUntil(
    (graph) => graph.components === 1 && graph.holdersOfDead === 0 && graph.minDegree >= 1,
    60_000,
    CHECK_STEP_MS,
  )
  const repairWallMs = performance.now() - repairWall

  return {
    nodes,
    seed,
    connectionClass,
    settleMs,
    settleWallMs: Math.round(settleWallMs),
    heapBytesPerNode: Math.round((heapAfter - heapBefore) / nodes),
    overlayCoreBytes: coreBytes(connectionClass),
    steady,
    repair: { crashed, repairMs, repairWallMs: Math.round(repairWallMs), graph: shape(sim.graph()) },
    simulatedMs: sim.now,
    totalWallMs: Math.round(performance.now() - wallStart),
  }
}

if (values.case !== undefined) {
  const [nodes, seed, connectionClass] = values.case.split(':')
  const result = runCase(Number(nodes), Number(seed), connectionClass as ConnectionClass)
  process.stdout.write(`${JSON.stringify(result)}\n`)
} else {
  const sizes = values.sizes.split(',').map(Number)
  const results: unknown[] = []
  for (const nodes of sizes) {
    const output = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=8000',
        fileURLToPath(import.meta.url),
        '--case',
        `${nodes}:${values.seed}:${values.class}`,
        '--warmup-ms',
        values['warmup-ms'],
        '--window-ms',
        values['window-ms'],
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    )
    const result = JSON.parse(output.trim().split('\n').pop() as string)
    console.log(JSON.stringify(result))
    results.push(result)
  }
  const path = writeResult('overlay', {
    question: 'overlay cost, settle and repair time from 1k to 100k simulated nodes without membership',
    seed: Number(values.seed),
    connectionClass: values.class,
    results,
  })
  console.log(`wrote ${path}`)
}
