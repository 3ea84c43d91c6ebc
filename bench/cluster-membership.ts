/**
 * Membership on real processes: local clusters of 10 and 30 `meshwork node start` processes on loopback
 * (LAN profile), measuring join convergence, crash detection over repeated kills, partition detection
 * and healing, and the idle cost of a node (CPU share and RSS, from /proc).
 *
 * Detection times are taken where a person would see them: membership events streamed from every node's
 * control API, stamped on arrival in this process. A crash is "detected" when every surviving node has
 * reported the killed node failed (or left).
 *
 * Usage: node bench/cluster-membership.ts [--sizes 10,30] [--kills 20] [--idle-seconds 10]
 * Writes bench/results/cluster-membership-<YYYY-MM-DD>.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type NodeEvent, streamEvents } from '../src/api/index.ts'
import {
  type ClusterState,
  down,
  heal,
  kill,
  partition,
  readState,
  restart,
  up,
  waitForConvergence,
} from '../src/cluster/index.ts'
import { percentile } from '../src/engines/sim/membership/statistics.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,30' },
    kills: { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '10' },
    'base-port': { type: 'string', default: '21000' },
  },
})
const sizes = values.sizes.split(',').map(Number)
const kills = Number(values.kills)
const idleSeconds = Number(values['idle-seconds'])
const CLOCK_TICKS_PER_SECOND = 100 // Linux USER_HZ, the unit of utime/stime in /proc/<pid>/stat

interface Stamp {
  readonly node: string
  readonly event: NodeEvent
  readonly at: number
}

/** Streams every node's events into one list stamped with this process's clock. */
function listen(state: ClusterState, signal: AbortSignal, stamps: Stamp[]): void {
  for (const node of state.nodes) {
    void (async () => {
      try {
        for await (const event of streamEvents(node.api, undefined, { signal })) {
          stamps.push({ node: node.name, event, at: performance.now() })
        }
      } catch {
        // the node was killed: its stream ends
      }
    })()
  }
}

async function waitUntil(predicate: () => boolean, limitMs: number): Promise<number | null> {
  const start = performance.now()
  while (!predicate()) {
    if (performance.now() - start > limitMs) return null
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - start
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12]) // utime, stime
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((each) => each.startsWith('VmRSS:'))
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024
}

async function measure(size: number, basePort: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(os.tmpdir(), `meshwork-bench-${size}-`))
  const abort = new AbortController()
  try {
    const t0 = performance.now()
    let state = await up({ nodes: size, dir, connectionClass: 'lan', basePort, convergeLimitMs: 120_000 })
    const joinMs = performance.now() - t0
    process.stderr.write(`n=${size}: converged in ${Math.round(joinMs)} ms\n`)

    // idle cost, before any fault
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const pids = state.nodes.map((node) => node.pid as number)
    const before = pids.map(cpuTicks)
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1_000))
    const cpuShares = pids.map(
      (pid, i) => (cpuTicks(pid) - (before[i] as number)) / CLOCK_TICKS_PER_SECOND / idleSeconds,
    )
    const rss = pids.map(rssMb)

    const stamps: Stamp[] = []
    listen(state, abort.signal, stamps)
    await new Promise((resolve) => setTimeout(resolve, 500))

    // crash detection: kill a random non-seed node, wait for every survivor to report it, restart it
    const detections: number[] = []
    let missed = 0
    for (let k = 0; k < kills; k++) {
      const victim = state.nodes[1 + (k % (size - 1))]
      if (victim === undefined) break
      const survivors = state.nodes.filter((node) => node.name !== victim.name).map((node) => node.name)
      const from = stamps.length
      const killedAt = performance.now()
      await kill(dir, victim.name)
      const reported = (): boolean => {
        const seen = new Set<string>()
        for (let i = from; i < stamps.length; i++) {
          const { event, node } = stamps[i] as Stamp
          if ((event.type === 'MemberFailed' || event.type === 'MemberLeft') && event.id === victim.peerId)
            seen.add(node)
        }
        return survivors.every((name) => seen.has(name))
      }
      const waited = await waitUntil(reported, 10_000)
      if (waited === null) missed++
      else {
        let last = killedAt
        for (let i = from; i < stamps.length; i++) {
          const { event, at } = stamps[i] as Stamp
          if ((event.type === 'MemberFailed' || event.type === 'MemberLeft') && event.id === victim.peerId)
            last = Math.max(last, at)
        }
        detections.push(last - killedAt)
      }
      await restart(dir, victim.name, 60_000)
      state = readState(dir)
      listen(
        { ...state, nodes: state.nodes.filter((node) => node.name === victim.name) },
        abort.signal,
        stamps,
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      process.stderr.write(
        `  kill ${k + 1}/${kills}: ${waited === null ? 'missed' : `${Math.round(detections.at(-1) ?? 0)} ms`}\n`,
      )
    }

    // partition: 40 % against 60 %, detected on both sides; then heal into one view
    const sideSize = Math.max(1, Math.round(size * 0.4))
    const side = state.nodes.slice(0, sideSize).map((node) => node.name)
    const from = stamps.length
    const cutAt = performance.now()
    await partition(dir, side)
    const detectedOn = (): Set<string> => {
      const seen = new Set<string>()
      for (let i = from; i < stamps.length; i++) {
        const { event, node } = stamps[i] as Stamp
        if (event.type === 'PartitionDetected') seen.add(node)
      }
      return seen
    }
    const partitionMs = await waitUntil(() => detectedOn().size === size, 10_000)
    const detectedAt = performance.now()
    await heal(dir)
    const healAt = performance.now()
    let healedMs: number | null = null
    try {
      healedMs = await waitForConvergence(state.nodes, 30_000)
      healedMs = performance.now() - healAt
    } catch {
      healedMs = null
    }
    process.stderr.write(
      `  partition ${side.length}|${size - side.length}: detected by all in ${partitionMs === null ? 'never' : Math.round(partitionMs)} ms (cut at ${Math.round(detectedAt - cutAt)} ms ago), one view ${healedMs === null ? 'never' : `${Math.round(healedMs)} ms`} after heal\n`,
    )

    detections.sort((a, b) => a - b)
    const round = (value: number): number => Math.round(value * 10) / 10
    return {
      nodes: size,
      joinConvergenceMs: Math.round(joinMs),
      crashDetection: {
        kills: detections.length + missed,
        missed,
        p50Ms: round(percentile(detections, 50)),
        p99Ms: round(percentile(detections, 99)),
        maxMs: round(detections.at(-1) ?? Number.NaN),
        samplesMs: detections.map(round),
      },
      partition: {
        sides: [side.length, size - side.length],
        detectedByAllMs: partitionMs === null ? null : round(partitionMs),
        oneViewAfterHealMs: healedMs === null ? null : round(healedMs),
      },
      idle: {
        seconds: idleSeconds,
        cpuPercentOfCore: {
          median: round(
            percentile(
              [...cpuShares].sort((a, b) => a - b),
              50,
            ) * 100,
          ),
          max: round(Math.max(...cpuShares) * 100),
        },
        rssMb: {
          median: round(
            percentile(
              [...rss].sort((a, b) => a - b),
              50,
            ),
          ),
          max: round(Math.max(...rss)),
        },
      },
    }
  } finally {
    abort.abort()
    await down(dir).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

const rows: Record<string, unknown>[] = []
let basePort = Number(values['base-port'])
for (const size of sizes) {
  const row = await measure(size, basePort)
  basePort += 100
  rows.push(row)
  process.stdout.write(`${JSON.stringify(row)}\n`)
}
writeResult('cluster-membership', { connectionClass: 'lan', rows })
