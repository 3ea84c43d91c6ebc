/**
 * Runs swarm seeds outside the CI suite, with every checker, and prints one line per failing seed and a
 * summary (a seed fails as in the CI suite: a checker, or crash detection beyond the configuration's
 * bound). The issue-8 target is 0 false positives and every checker passing over seeds 1–500:
 *
 *   node test/sim/swarm-seeds.ts 1 500          # seeds 1..500, nodes = nodesForSeed(seed)
 *   node test/sim/swarm-seeds.ts 1 500 --wire   # with every message encoded and decoded
 */
import { resolveScenario, runMembershipSimulation } from '../../src/engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../../src/engines/sim/membership/scenario.ts'
import { detectionBoundMs, nodesForSeed } from './membership-seeds.ts'

const [first = 1, last = 500] = process.argv.slice(2, 4).map(Number)
const wire = process.argv.includes('--wire')
let failed = 0
let falsePositives = 0
let missed = 0
let worstP99 = 0
let worstSeed = 0
for (let seed = first; seed <= last; seed++) {
  const nodes = nodesForSeed(seed)
  const report = runMembershipSimulation({ ...SCENARIO_DEFAULTS, nodes, seed, swarm: true, wire })
  falsePositives += report.falsePositiveEvents
  missed += report.detection.missed
  if (Number.isFinite(report.detection.p99Ms) && report.detection.p99Ms > worstP99) {
    worstP99 = report.detection.p99Ms
    worstSeed = seed
  }
  const boundMs = detectionBoundMs(resolveScenario({ ...SCENARIO_DEFAULTS, nodes, seed, swarm: true, wire }))
  const slow = report.detection.samples > 0 && report.detection.p99Ms > boundMs
  if (!report.ok || slow) {
    failed++
    const why = slow
      ? `detection p99 ${report.detection.p99Ms} ms over the bound ${Math.round(boundMs)} ms`
      : ''
    console.log(`seed ${seed} (${nodes} nodes, ${report.faults}): ${why}${JSON.stringify(report.violations)}`)
  }
}
console.log(
  `seeds ${first}-${last}${wire ? ' (wire)' : ''}: ${failed} failing, ${falsePositives} false-positive verdicts, ` +
    `${missed} missed detections, worst detection p99 ${worstP99} ms (seed ${worstSeed})`,
)
