/**
 * Question: does the membership simulation scale — is the simulator's cost per simulated node-second flat
 * from 500 to 5,000 nodes, and does steady traffic per node grow no faster than log N?
 *
 * Each case is exactly `meshwork sim membership --nodes N --seed S --json` (LAN: join through three seeds
 * over a spread, a 10 s steady phase, one crash, the liveness phase), run by `runMembershipSimulation` in a
 * fresh child process so that one size's heap and JIT state do not bleed into the next. Per size it takes
 * the median over seeds × repeats of: wall and CPU time, simulated time, node-seconds (nodes × simulated
 * seconds), wall and CPU µs per simulated node-second (and their ratio to the first size's), events and
 * events per wall second, steady bytes per node per second (and that figure divided by ln N, with its
 * growth relative to ln N against the first size). It also splits wall and CPU time by phase, taken from
 * the runner's progress lines: the join (every node learns every other, an O(N²) piece of work however
 * it is spread) and the rest of the run.
 *
 * The machine is shared; CPU time (user + system of the child) is less disturbed by other processes than
 * wall time, so both are reported. Compare ratios from one run, not absolute figures across runs.
 *
 * Usage: node --max-old-space-size=16000 bench/membership-scaling.ts [--sizes 500,1000,2000,5000]
 *          [--seeds 1] [--repeats 3 | --repeats 3,3,3,1 (one per size)] [--timeout-s 3600]
 * Writes bench/results/membership-scaling-<YYYY-MM-DD>.json.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type MembershipReport, runMembershipSimulation } from '../src/engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../src/engines/sim/membership/scenario.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,1000,2000,5000' },
    seeds: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    'timeout-s': { type: 'string', default: '3600' },
    // internal: run one case in this process and print its measurement as JSON
    case: { type: 'string' },
  },
})

interface PhaseCost {
  phase: string
  wallMs: number
  cpuMs: number
}

interface CaseResult {
  nodes: number
  seed: number
  wallMs: number
  cpuMs: number
  phases: PhaseCost[]
  report: Omit<MembershipReport, 'detectionSamplesMs' | 'violations'> & { violations: number }
}

function cpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** One run, timed as a whole and by phase (the runner announces each phase through `progress`). */
function runCase(nodes: number, seed: number): CaseResult {
  const phases: PhaseCost[] = []
  let phase = 'setup'
  let wallAt = performance.now()
  let cpuAt = cpuMs()
  const startWall = wallAt
  const startCpu = cpuAt
  const close = (next: string): void => {
    const wall = performance.now()
    const cpu = cpuMs()
    phases.push({ phase, wallMs: Math.round(wall - wallAt), cpuMs: Math.round(cpu - cpuAt) })
    phase = next
    wallAt = wall
    cpuAt = cpu
  }
  const full = runMembershipSimulation({ ...SCENARIO_DEFAULTS, nodes, seed }, (line) =>
    close(line.split(' ')[0] ?? line),
  )
  close('done')
  const { detectionSamplesMs: _samples, violations, ...report } = full
  return {
    nodes,
    seed,
    wallMs: Math.round(performance.now() - startWall),
    cpuMs: Math.round(cpuMs() - startCpu),
    phases,
    report: { ...report, violations: violations.length },
  }
}

if (values.case !== undefined) {
  const [nodes, seed] = values.case.split(':').map(Number) as [number, number]
  process.stdout.write(`${JSON.stringify(runCase(nodes, seed))}\n`)
  process.exit(0)
}

const sizes = values.sizes.split(',').map(Number)
const seeds = values.seeds.split(',').map(Number)
const repeatList = values.repeats.split(',').map(Number)
const repeatsFor = (index: number): number => repeatList[Math.min(index, repeatList.length - 1)] ?? 1
const timeoutMs = Number(values['timeout-s']) * 1000
const self = fileURLToPath(import.meta.url)

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits

const cases: CaseResult[] = []
const failures: { nodes: number; seed: number; repeat: number; reason: string }[] = []
for (const [index, nodes] of sizes.entries()) {
  for (const seed of seeds) {
    for (let repeat = 0; repeat < repeatsFor(index); repeat++) {
      let result: CaseResult
      try {
        const out = execFileSync(
          process.execPath,
          ['--max-old-space-size=16000', self, '--case', `${nodes}:${seed}`],
          { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
        )
        result = JSON.parse(out) as CaseResult
      } catch (error) {
        // a case that timed out or crashed is recorded, and the sizes that did run are still reported
        const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
        failures.push({ nodes, seed, repeat: repeat + 1, reason })
        process.stderr.write(`n=${nodes} seed=${seed} #${repeat + 1}: failed: ${reason}\n`)
        continue
      }
      cases.push(result)
      const r = result.report
      process.stderr.write(
        `n=${nodes} seed=${seed} #${repeat + 1}: ${result.wallMs} ms wall, ${result.cpuMs} ms cpu, ${r.events} events, steady ${r.steadyBytesPerNodePerSecond} B/node/s, ok ${r.ok}\n`,
      )
    }
  }
}

/** The medians of one size. */
function summarise(nodes: number) {
  const runs = cases.filter((c) => c.nodes === nodes)
  const nodeSeconds = median(runs.map((c) => (c.nodes * c.report.simulatedMs) / 1000))
  const phaseMedian = (name: string, key: 'wallMs' | 'cpuMs'): number =>
    median(runs.map((c) => c.phases.filter((p) => p.phase === name).reduce((sum, p) => sum + p[key], 0)))
  const joinNodeSeconds = median(
    runs.map((c) => (c.nodes * ((c.report.joinConvergenceMs ?? 0) + joinSpreadMs(c.nodes))) / 1000),
  )
  const wallMs = median(runs.map((c) => c.wallMs))
  const cpu = median(runs.map((c) => c.cpuMs))
  // building the cluster belongs to the join
  const joinWallMs = phaseMedian('setup', 'wallMs') + phaseMedian('joining', 'wallMs')
  const joinCpuMs = phaseMedian('setup', 'cpuMs') + phaseMedian('joining', 'cpuMs')
  const steady = median(runs.map((c) => c.report.steadyBytesPerNodePerSecond))
  return {
    nodes,
    runs: runs.length,
    ok: runs.every((c) => c.report.ok),
    wallMs,
    cpuMs: cpu,
    simulatedMs: median(runs.map((c) => c.report.simulatedMs)),
    nodeSeconds: round(nodeSeconds),
    wallUsPerNodeSecond: round((wallMs * 1000) / nodeSeconds),
    cpuUsPerNodeSecond: round((cpu * 1000) / nodeSeconds),
    events: median(runs.map((c) => c.report.events)),
    eventsPerNodeSecond: round(median(runs.map((c) => c.report.events)) / nodeSeconds),
    eventsPerSecond: median(runs.map((c) => c.report.eventsPerSecond)),
    steadyBytesPerNodePerSecond: steady,
    steadyBytesPerLnN: round(steady / Math.log(nodes), 2),
    bytesPerNodePerSecond: median(runs.map((c) => c.report.bytesPerNodePerSecond)),
    messagesPerNodePerSecond: median(runs.map((c) => c.report.messagesPerNodePerSecond)),
    joinConvergenceMs: median(runs.map((c) => c.report.joinConvergenceMs ?? Number.NaN)),
    detectionP99Ms: median(runs.map((c) => c.report.detection.p99Ms)),
    falsePositives: Math.max(...runs.map((c) => c.report.falsePositives)),
    join: {
      wallMs: joinWallMs,
      cpuMs: joinCpuMs,
      nodeSeconds: round(joinNodeSeconds),
      cpuUsPerNodeSecond: round((joinCpuMs * 1000) / joinNodeSeconds),
    },
    afterJoin: {
      wallMs: wallMs - joinWallMs,
      cpuMs: cpu - joinCpuMs,
      nodeSeconds: round(nodeSeconds - joinNodeSeconds),
      wallUsPerNodeSecond: round(((wallMs - joinWallMs) * 1000) / (nodeSeconds - joinNodeSeconds)),
      cpuUsPerNodeSecond: round(((cpu - joinCpuMs) * 1000) / (nodeSeconds - joinNodeSeconds)),
    },
  }
}

/**
 * The joins are spread over min(2,000, N) ms on LAN (`phases.ts`), and the join phase runs until the last
 * start (within a hair of the spread) plus the convergence time the report gives.
 */
function joinSpreadMs(nodes: number): number {
  return Math.min(2_000, nodes)
}

const rows = sizes.filter((nodes) => cases.some((c) => c.nodes === nodes)).map(summarise)
const first = rows[0]
const withRatios = rows.map((row) => ({
  ...row,
  wallPerNodeSecondRatio:
    first === undefined ? 1 : round(row.wallUsPerNodeSecond / first.wallUsPerNodeSecond, 2),
  cpuPerNodeSecondRatio:
    first === undefined ? 1 : round(row.cpuUsPerNodeSecond / first.cpuUsPerNodeSecond, 2),
  afterJoinCpuPerNodeSecondRatio:
    first === undefined ? 1 : round(row.afterJoin.cpuUsPerNodeSecond / first.afterJoin.cpuUsPerNodeSecond, 2),
  // above 1: steady traffic grew faster than ln N since the first size
  steadyGrowthOverLnN: first === undefined ? 1 : round(row.steadyBytesPerLnN / first.steadyBytesPerLnN, 2),
}))

/** The targets, where the sizes they name were run (today: the 2,000-node run took 133 s wall). */
const row = (nodes: number) => withRatios.find((r) => r.nodes === nodes)
const largest = withRatios.at(-1)
const targets = {
  wallPerNodeSecondRatioLargestOverFirst: largest?.wallPerNodeSecondRatio ?? null,
  cpuPerNodeSecondRatioLargestOverFirst: largest?.cpuPerNodeSecondRatio ?? null,
  run2000:
    row(2_000) === undefined
      ? null
      : {
          wallMs: row(2_000)?.wallMs,
          eventsPerSecond: row(2_000)?.eventsPerSecond,
          timesShorterThan133s: round(133_000 / (row(2_000)?.wallMs ?? Number.NaN), 2),
        },
}

const path = writeResult('membership-scaling', {
  command: 'meshwork sim membership --nodes N --seed S --json (LAN, join, 10 s steady, 1 crash)',
  seeds,
  repeats: sizes.map((_, index) => repeatsFor(index)),
  targets,
  rows: withRatios,
  failures,
  cases,
})

const table = [
  '| N | wall ms | cpu ms | node-s | wall µs/node-s (×first) | cpu µs/node-s (×first) | join cpu µs/node-s | after-join cpu µs/node-s (×first) | events | events/s | steady B/node/s | ÷ ln N (×first) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...withRatios.map(
    (r) =>
      `| ${r.nodes} | ${r.wallMs} | ${r.cpuMs} | ${r.nodeSeconds} | ${r.wallUsPerNodeSecond} (${r.wallPerNodeSecondRatio}) | ${r.cpuUsPerNodeSecond} (${r.cpuPerNodeSecondRatio}) | ${r.join.cpuUsPerNodeSecond} | ${r.afterJoin.cpuUsPerNodeSecond} (${r.afterJoinCpuPerNodeSecondRatio}) | ${r.events} | ${r.eventsPerSecond} | ${r.steadyBytesPerNodePerSecond} | ${r.steadyBytesPerLnN} (${r.steadyGrowthOverLnN}) |`,
  ),
]
process.stdout.write(`${table.join('\n')}\n\ntargets: ${JSON.stringify(targets)}\nwritten to ${path}\n`)
