/**
 * Replicated state under faults, scored like Jepsen's set-full checker: every node writes to four
 * objects (an add-wins set, a top-N map, an LWW map and a counter map) while the network loses and
 * duplicates messages, splits into two halves and heals, and nodes crash and restart from what they had
 * persisted. A write counts as acknowledged once its delta is in the node's durable log (the simulated
 * store: the runtime persists before it acknowledges), and a restarted node restores that log.
 *
 * After the heal every replica must converge (equal fingerprints on every node), and against oracles
 * computed from the acknowledged writes alone:
 * - `lostCount`: acknowledged set adds (never removed) missing at some replica, top-N entries of the
 *   oracle (top N of each id's highest offer) missing, map keys whose value is not the latest write's,
 *   counter keys below the sum of their increments;
 * - `duplicatedCount`: counter keys above that sum;
 * - `maxEntries`: the most entries a top-N replica held (never more than its capacity).
 */
import { type Millis, type NodeId, Random } from '../../../kernel/index.ts'
import { broadcastModule } from '../../../protocols/broadcast/index.ts'
import { type AnyCrdt, encodeCrdt } from '../../../protocols/crdt/index.ts'
import { type ObjectSpec, type Replication, stateModule } from '../../../protocols/replication/index.ts'
import { OVERLAY_SCENARIO_DEFAULTS, OverlaySimulation } from '../overlay/overlay-simulation.ts'
import { chooseOperation, StateOracle } from './state-oracle.ts'

export interface StateScenario {
  readonly nodes: number
  readonly seed: number
  /** Writes per node over the write phase. */
  readonly writesPerNode: number
  readonly writePhaseMs: Millis
  readonly lossRate: number
  readonly duplicateRate: number
  /** Split the nodes into two halves for the middle half of the write phase. */
  readonly partition: boolean
  /** Nodes crashed during the write phase, each restarted `restartAfterMs` later. */
  readonly crashes: number
  readonly restartAfterMs: Millis
  readonly topNCapacity: number
  /** Simulated time after the heal within which the replicas must converge. */
  readonly convergeLimitMs: Millis
}

export const STATE_SCENARIO_DEFAULTS: Omit<StateScenario, 'nodes' | 'seed'> = Object.freeze({
  writesPerNode: 20,
  writePhaseMs: 20_000,
  lossRate: 0.05,
  duplicateRate: 0.02,
  partition: true,
  crashes: 2,
  restartAfterMs: 3_000,
  topNCapacity: 8,
  convergeLimitMs: 60_000,
})

export interface StateReport {
  readonly nodes: number
  readonly seed: number
  readonly writes: number
  readonly lostCount: number
  readonly duplicatedCount: number
  readonly maxEntries: number
  /** Simulated time from the heal until every replica held the same states; null when they never did. */
  readonly convergedAfterHealMs: Millis | null
  readonly rejections: number
  readonly wallMs: number
  readonly replay: string
}

const OBJECTS: Readonly<Record<string, (capacity: number) => ObjectSpec>> = {
  jobs: () => ({ type: 'set' }),
  archive: (capacity) => ({ type: 'topN', capacity }),
  meta: () => ({ type: 'map' }),
  hits: () => ({ type: 'counter' }),
}
const NAMES = Object.keys(OBJECTS)
const CONVERGE_STEP_MS = 250

export function stateReplay(scenario: StateScenario): string {
  const flags = [
    `--nodes ${scenario.nodes}`,
    `--seed ${scenario.seed}`,
    `--writes ${scenario.writesPerNode}`,
    `--loss ${scenario.lossRate}`,
    `--duplicate ${scenario.duplicateRate}`,
    `--crashes ${scenario.crashes}`,
    ...(scenario.partition ? [] : ['--no-partition']),
  ]
  return `npx meshwork sim state ${flags.join(' ')} --json`
}

/** The durable log of one node: what it acknowledged, as the store would hold it. */
type DurableLog = { name: string; spec: ObjectSpec; delta: Uint8Array; state: AnyCrdt }[]

export function runStateSimulation(scenario: StateScenario): StateReport {
  const started = performance.now()
  const state = stateModule({ epoch: (context) => Math.floor(context.now) })
  const sim = new OverlaySimulation(
    {
      ...OVERLAY_SCENARIO_DEFAULTS,
      nodes: scenario.nodes,
      seed: scenario.seed,
      connectionClass: 'lan',
      latencyMs: { min: 5, max: 150 },
    },
    { modules: [broadcastModule(), state] },
  )
  const random = new Random(scenario.seed).fork('state-writes')
  const logs: DurableLog[] = Array.from({ length: scenario.nodes }, () => [])
  const oracle = new StateOracle(scenario.topNCapacity)
  const replication = (index: number): Replication | undefined => sim.host.node(index)?.core(state)
  const specs = Object.fromEntries(
    NAMES.map((name) => [name, (OBJECTS[name] as (c: number) => ObjectSpec)(scenario.topNCapacity)]),
  )

  const restore = (index: number): void => {
    sim.host.poke(index, (node) => {
      node.act(sim.now, state, (core) => {
        for (const name of NAMES) core.create(name, specs[name] as ObjectSpec)
        for (const entry of logs[index] as DurableLog) core.restore(entry.name, entry.spec, entry.state)
      })
    })
  }
  sim.startAll()
  for (let index = 0; index < scenario.nodes; index++) sim.scheduler.at(2_000, () => restore(index))

  let writes = 0
  const write = (index: number, k: number): void => {
    if (!sim.host.isUp(index)) return
    const name = NAMES[random.intBelow(NAMES.length)] as string
    const op = chooseOperation(name, index, k, random, replication(index))
    if (op === undefined) return
    sim.host.poke(index, (node, localNow) => {
      const delta = node.act(localNow, state, (core) => core.apply(localNow, name, op))
      if (delta === undefined) return // acknowledged: persisted to the durable log first
      ;(logs[index] as DurableLog).push({
        name,
        spec: specs[name] as ObjectSpec,
        delta: encodeCrdt(delta),
        state: delta,
      })
      oracle.acknowledged(name, op, delta, index)
      writes++
    })
  }
  const writeStart = 5_000
  for (let index = 0; index < scenario.nodes; index++) {
    for (let k = 0; k < scenario.writesPerNode; k++) {
      sim.scheduler.at(writeStart + random.float() * scenario.writePhaseMs, () => write(index, k))
    }
  }
  const network = sim.network
  sim.scheduler.at(writeStart, () =>
    network.setFaultRates({ lossRate: scenario.lossRate, duplicateRate: scenario.duplicateRate }),
  )
  if (scenario.partition) {
    const half = Math.floor(scenario.nodes / 2)
    sim.scheduler.at(writeStart + scenario.writePhaseMs / 4, () =>
      network.partition((node) => (node < half ? 0 : 1), 'symmetric'),
    )
  }
  const contacts = sim.ids.slice(0, 3)
  for (let c = 0; c < scenario.crashes; c++) {
    const at = writeStart + random.float() * scenario.writePhaseMs * 0.75
    const victim = random.intBelow(scenario.nodes)
    sim.scheduler.at(at, () => {
      if (!sim.host.isUp(victim)) return
      sim.host.crash(victim)
      sim.scheduler.at(sim.now + scenario.restartAfterMs, () => {
        sim.host.start(victim, (node, now) =>
          node.hint(now, {
            kind: 'seeds',
            peers: contacts.filter((id) => id !== sim.ids[victim]) as NodeId[],
          }),
        )
        restore(victim)
      })
    })
  }
  const healAt = writeStart + scenario.writePhaseMs
  sim.run(healAt + scenario.restartAfterMs + 1 - sim.now)
  network.heal()
  network.setFaultRates({ lossRate: 0, duplicateRate: 0 })
  const healedAt = sim.now

  const converged = (): boolean => {
    let reference: string | undefined
    for (let index = 0; index < scenario.nodes; index++) {
      const core = replication(index)
      if (core === undefined) return false
      const prints = NAMES.map((name) => core.objects.fingerprint(name).join(',')).join('|')
      if (reference === undefined) reference = prints
      else if (prints !== reference) return false
    }
    return true
  }
  let convergedAfterHealMs: Millis | null = null
  while (sim.now - healedAt <= scenario.convergeLimitMs) {
    if (converged()) {
      convergedAfterHealMs = sim.now - healedAt
      break
    }
    sim.run(CONVERGE_STEP_MS)
  }
  let lostCount = 0
  let duplicatedCount = 0
  let maxEntries = 0
  let rejections = 0
  for (let index = 0; index < scenario.nodes; index++) {
    const core = replication(index)
    if (core === undefined) continue
    const score = oracle.score((name) => core.objects.state(name))
    lostCount += score.lost
    duplicatedCount += score.duplicated
    maxEntries = Math.max(maxEntries, score.topNEntries)
    rejections += core.rejections.total
  }
  return {
    nodes: scenario.nodes,
    seed: scenario.seed,
    writes,
    lostCount,
    duplicatedCount,
    maxEntries,
    convergedAfterHealMs,
    rejections,
    wallMs: Math.round(performance.now() - started),
    replay: stateReplay(scenario),
  }
}
