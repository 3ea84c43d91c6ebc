/**
 * Footprint, side by side with Serf: 10 Meshwork nodes (`meshwork cluster up`, LAN class) and 10 Serf
 * agents (memberlist's LAN defaults) on loopback, measured the same way (bench/footprint/harness.ts):
 * time from spawn to one converged view, CPU seconds per node spent starting, idle CPU, RSS and
 * membership traffic per node, frozen-node (SIGSTOP) and killed-node (SIGKILL) detection.
 *
 * Each system runs in a network namespace of its own (`ip netns`, as root), so the namespace's `lo`
 * counters hold that system's packets only, and its fixed ports meet no one else's. Without root or
 * `ip`, both run in this namespace and traffic is not reported. Without `serf` on the PATH, Meshwork
 * runs alone. The systems take turns, in alternating order, `--repeats` times in one run, so that both
 * see the same machine; figures are medians over repeats, detection percentiles are over all samples.
 *
 * Usage: node bench/footprint.ts [--nodes 10] [--repeats 3] [--freezes 10] [--kills 5]
 *          [--idle-seconds 10] [--systems meshwork,serf]
 * Writes bench/results/footprint-<YYYY-MM-DD>.json (or footprint-<label>-… with --label).
 */
import { spawn, spawnSync } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { COMPILE_CACHE_DIR, nodeProcessEntry } from '../src/cluster/processes.ts'
import { type HarnessOptions, runSystem, type SystemRun } from './footprint/harness.ts'
import { meshworkDriver } from './footprint/meshwork.ts'
import { median, percentile, round } from './footprint/proc.ts'
import { serfDriver } from './footprint/serf.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    freezes: { type: 'string', default: '10' },
    kills: { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '10' },
    'settle-seconds': { type: 'string', default: '3' },
    systems: { type: 'string', default: 'meshwork,serf' },
    label: { type: 'string' },
    worker: { type: 'string' },
    'own-namespace': { type: 'boolean', default: false },
  },
})
type SystemName = 'meshwork' | 'serf'
const nodes = Number(values.nodes)
const BASE_PORT = 17_000
/** Without namespaces the two systems share this one, so Serf takes ports away from Meshwork's. */
const SERF_BASE_PORT = 24_000
/** One system's turn never takes longer than this; a worker past it is killed. */
const WORKER_LIMIT_MS = 15 * 60_000

if (values.worker !== undefined) {
  // a system's turn, run in its own namespace by the parent below; the result is the last stdout line
  const system = values.worker as SystemName
  const options: HarnessOptions = {
    settleSeconds: Number(values['settle-seconds']),
    idleSeconds: Number(values['idle-seconds']),
    freezes: Number(values.freezes),
    kills: Number(values.kills),
    detectLimitMs: system === 'serf' ? 60_000 : 20_000,
    recoverLimitMs: 60_000,
    ownNamespace: values['own-namespace'],
    log: (line) => process.stderr.write(`  ${system}: ${line}\n`),
  }
  const driver = system === 'serf' ? serfDriver(nodes, SERF_BASE_PORT) : meshworkDriver(nodes, BASE_PORT)
  let run: SystemRun
  try {
    run = await runSystem(driver, options)
  } finally {
    await driver.down()
  }
  process.stdout.write(`${JSON.stringify(run)}\n`)
  process.exit(0)
}

function available(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0
}

const namespaces = process.getuid?.() === 0 && available('ip', ['netns', 'list'])
const serfVersion = available('serf', ['version'])
  ? (spawnSync('serf', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'unknown')
  : undefined
const systems = values.systems
  .split(',')
  .filter((each): each is SystemName => each === 'meshwork' || (each === 'serf' && serfVersion !== undefined))
if (serfVersion === undefined) process.stderr.write('serf is not installed: measuring Meshwork alone\n')
if (!namespaces) process.stderr.write('no network namespaces (needs root and ip): traffic is not measured\n')

/** Namespaces made by this run, removed on every way out. */
const made = new Set<string>()
function removeNamespace(name: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
    .stdout.split(/\s+/)
    .filter(Boolean)
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // gone already
    }
  }
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
  made.delete(name)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const name of [...made]) removeNamespace(name)
    process.exit(130)
  })
}

async function turn(system: SystemName, repeat: number): Promise<SystemRun> {
  const script = fileURLToPath(import.meta.url)
  const args = [
    script,
    '--worker',
    system,
    '--nodes',
    String(nodes),
    '--freezes',
    values.freezes,
    '--kills',
    values.kills,
    '--idle-seconds',
    values['idle-seconds'],
    '--settle-seconds',
    values['settle-seconds'],
    ...(namespaces ? ['--own-namespace'] : []),
  ]
  let command = process.execPath
  let commandArgs = args
  const namespace = `footprint-${system}-${process.pid}-${repeat}`
  if (namespaces) {
    spawnSync('ip', ['netns', 'add', namespace], { stdio: 'inherit' })
    made.add(namespace)
    spawnSync('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'inherit' })
    command = 'ip'
    commandArgs = ['netns', 'exec', namespace, process.execPath, ...args]
  }
  try {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_LIMIT_MS)
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    clearTimeout(timer)
    const last = out.trim().split('\n').at(-1)
    if (code !== 0 || last === undefined) throw new Error(`${system} worker exited with ${code}`)
    return JSON.parse(last) as SystemRun
  } finally {
    if (namespaces) removeNamespace(namespace)
  }
}

/**
 * Meshwork's node processes run a bundle that a checkout builds on first use, and Node compiles a new
 * bundle cold the first time: both happen here, before anything is timed, as they would have on a
 * user's earlier `cluster up`.
 */
if (systems.includes('meshwork')) {
  const script = await nodeProcessEntry()
  spawnSync(process.execPath, [script, '--version'], {
    stdio: 'ignore',
    env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE_DIR },
  })
}

/** The machine is shared: its load average (1 minute) at the start and end of each turn goes in the result. */
const loadAverages: Array<{ system: SystemName; repeat: number; before: number; after: number }> = []
const runs: Record<SystemName, SystemRun[]> = { meshwork: [], serf: [] }
const repeats = Number(values.repeats)
for (let repeat = 0; repeat < repeats; repeat++) {
  const order = repeat % 2 === 0 ? systems : [...systems].reverse()
  for (const system of order) {
    process.stderr.write(
      `repeat ${repeat + 1}/${repeats}: ${system} (load average ${os.loadavg()[0]?.toFixed(2)})\n`,
    )
    const before = os.loadavg()[0] as number
    runs[system].push(await turn(system, repeat))
    loadAverages.push({
      system,
      repeat,
      before: round(before, 2),
      after: round(os.loadavg()[0] as number, 2),
    })
  }
}

function detections(samples: readonly number[], missed: number) {
  return {
    samples: samples.length,
    missed,
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    maxMs: round(Math.max(...samples)),
    samplesMs: samples,
  }
}

/** One system's figures: medians over repeats of the per-repeat medians; detections pooled. */
function summary(list: readonly SystemRun[]) {
  const perRepeat = (pick: (run: SystemRun) => number) => {
    const each = list.map(pick)
    return { median: round(median(each), 2), repeats: each }
  }
  return {
    convergeMs: perRepeat((run) => run.convergeMs),
    startCpuSecondsPerNode: perRepeat((run) => median(run.startCpuSeconds)),
    idleCpuPercentPerNode: perRepeat((run) => median(run.idle.cpuPercentOfCore)),
    idleCpuPercentMaxNode: perRepeat((run) => Math.max(...run.idle.cpuPercentOfCore)),
    idleRssMiBPerNode: perRepeat((run) => median(run.idle.rssMiB)),
    idleRssMiBMaxNode: perRepeat((run) => Math.max(...run.idle.rssMiB)),
    idleBytesPerSecondPerNode: perRepeat((run) => run.idle.bytesPerSecondPerNode ?? Number.NaN),
    idlePacketsPerSecondPerNode: perRepeat((run) => run.idle.packetsPerSecondPerNode ?? Number.NaN),
    frozenDetection: detections(
      list.flatMap((run) => run.frozen.samplesMs),
      list.reduce((sum, run) => sum + run.frozen.missed, 0),
    ),
    killedDetection: detections(
      list.flatMap((run) => run.killed.samplesMs),
      list.reduce((sum, run) => sum + run.killed.missed, 0),
    ),
    runs: list,
  }
}

const meshwork = summary(runs.meshwork)
const serf = runs.serf.length > 0 ? summary(runs.serf) : null
const target = (value: number, limit: number) => ({ value, limit, met: value <= limit })
const targets = {
  frozenDetectionP99Ms: target(meshwork.frozenDetection.p99Ms, 1_000),
  killedDetectionP99Ms: target(meshwork.killedDetection.p99Ms, 1_000),
  convergeMs: target(meshwork.convergeMs.median, 3_000),
  idleCpuPercentPerNode: target(meshwork.idleCpuPercentPerNode.median, 1),
  idleRssMiBPerNode: target(meshwork.idleRssMiBPerNode.median, 90),
  idleBytesPerSecondPerNode: target(meshwork.idleBytesPerSecondPerNode.median, 2_000),
  idlePacketsPerSecondPerNode: target(meshwork.idlePacketsPerSecondPerNode.median, 25),
}
const ratio = (a: number, b: number) => round(a / b, 2)
const ratios =
  serf === null
    ? null
    : {
        frozenDetectionP50SerfOverMeshwork: ratio(serf.frozenDetection.p50Ms, meshwork.frozenDetection.p50Ms),
        killedDetectionP50SerfOverMeshwork: ratio(serf.killedDetection.p50Ms, meshwork.killedDetection.p50Ms),
        convergeMeshworkOverSerf: ratio(meshwork.convergeMs.median, serf.convergeMs.median),
        idleCpuMeshworkOverSerf: ratio(
          meshwork.idleCpuPercentPerNode.median,
          serf.idleCpuPercentPerNode.median,
        ),
        idleRssMeshworkOverSerf: ratio(meshwork.idleRssMiBPerNode.median, serf.idleRssMiBPerNode.median),
        idleBytesMeshworkOverSerf: ratio(
          meshwork.idleBytesPerSecondPerNode.median,
          serf.idleBytesPerSecondPerNode.median,
        ),
        idlePacketsMeshworkOverSerf: ratio(
          meshwork.idlePacketsPerSecondPerNode.median,
          serf.idlePacketsPerSecondPerNode.median,
        ),
      }
const body = {
  nodes,
  connectionClass: 'lan',
  repeats,
  namespaces,
  serfVersion: serfVersion ?? null,
  options: { freezes: values.freezes, kills: values.kills, idleSeconds: values['idle-seconds'] },
  loadAverages,
  targets,
  ratios,
  meshwork,
  serf,
}
process.stdout.write(`${JSON.stringify({ targets, ratios }, null, 2)}\n`)
const path = writeResult(values.label === undefined ? 'footprint' : `footprint-${values.label}`, body)
process.stderr.write(`wrote ${path}\n`)
