/**
 * A simulated broadcast: MeshNodes running the overlay and the broadcast modules (no membership, as a
 * run of a million nodes must), on the overlay harness (`../overlay/overlay-simulation.ts`). The overlay
 * forms first, through a few contacts; then broadcasts go out one after another from random live nodes,
 * and each is followed until every live node delivered it or the limit passed.
 *
 * Per broadcast it reports coverage (the share of live nodes that delivered it), the delivery delays
 * (p50, p99, max from the broadcast), the longest path in hops, and the broadcast protocol's messages and
 * bytes per node while it spread. The first broadcast floods (every link starts eager); the later ones
 * travel the tree the first one's duplicates pruned, with lazy announcements and grafts as the repair,
 * so both are reported. Loss, when asked for, applies from the first broadcast on; the overlay keeps
 * running beneath it (heartbeats lost too).
 */
import { type Millis, Random } from '../../../kernel/index.ts'
import type { NodeEvent } from '../../../node/index.ts'
import { type BroadcastConfig, broadcastModule, type Plumtree } from '../../../protocols/broadcast/index.ts'
import { OVERLAY_SCENARIO_DEFAULTS, OverlaySimulation } from '../overlay/overlay-simulation.ts'

export interface BroadcastScenario {
  readonly nodes: number
  readonly seed: number
  readonly lossRate: number
  /** One-way link latency range. */
  readonly latencyMs: { readonly min: number; readonly max: number }
  readonly broadcasts: number
  /** Simulated time between two broadcasts (the previous one's prunes and grafts settle in it). */
  readonly gapMs: Millis
  /** Simulated time the settled overlay runs before the first broadcast. */
  readonly warmupMs: Millis
  /** A broadcast not delivered everywhere within this long counts as not covering. */
  readonly limitMs: Millis
  readonly payloadBytes: number
  readonly config: Partial<BroadcastConfig>
}

export const BROADCAST_SCENARIO_DEFAULTS: Omit<BroadcastScenario, 'nodes' | 'seed'> = Object.freeze({
  lossRate: 0,
  latencyMs: Object.freeze({ min: 5, max: 150 }),
  broadcasts: 3,
  gapMs: 2_000,
  warmupMs: 10_000,
  limitMs: 10_000,
  payloadBytes: 64,
  config: {},
})

export interface BroadcastOutcome {
  readonly coverage: number
  readonly delivered: number
  /** Deliveries of the message at a node that had delivered it already (0 unless deduplication fails). */
  readonly deliveredTwice: number
  readonly live: number
  readonly convergence: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number }
  readonly maxHops: number
  readonly messagesPerNode: number
  readonly bytesPerNode: number
  readonly duplicatesPerNode: number
  /** Copies of the payload sent per node (eager pushes and graft answers); the rest is announcements. */
  readonly payloadsPerNode: number
  readonly grafts: number
}

export interface BroadcastReport {
  readonly nodes: number
  readonly seed: number
  readonly lossRate: number
  readonly latencyMs: { readonly min: number; readonly max: number }
  /** Simulated time the overlay took to settle before the first broadcast. */
  readonly overlaySettleMs: Millis | null
  /** The first broadcast (a flood over every link) and the later ones (over the pruned tree). */
  readonly first: BroadcastOutcome
  readonly later: readonly BroadcastOutcome[]
  readonly wallMs: number
  readonly replay: string
}

const CHANNEL = 'sim'

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

const round1 = (value: number): number => Math.round(value * 10) / 10

export function broadcastReplay(scenario: BroadcastScenario): string {
  const loss = scenario.lossRate > 0 ? ` --loss ${scenario.lossRate}` : ''
  return `npx meshwork sim broadcast --nodes ${scenario.nodes} --seed ${scenario.seed}${loss} --latency ${scenario.latencyMs.min}-${scenario.latencyMs.max} --json`
}

export function runBroadcastSimulation(
  scenario: BroadcastScenario,
  progress: (line: string) => void = () => {},
): BroadcastReport {
  const started = performance.now()
  const module = broadcastModule({ config: scenario.config })
  // per node, the delivery time of the broadcast being followed (NaN: not yet), and its hops
  let followed: { origin: string; seq: number; at: Millis } | undefined
  const deliveredAt = new Float64Array(scenario.nodes).fill(Number.NaN)
  const hopsOf = new Int32Array(scenario.nodes)
  let deliveredCount = 0
  let deliveredTwice = 0
  const onEvent = (index: number, { protocol, event }: NodeEvent, at: Millis): void => {
    if (protocol !== module.id || event.type !== 'Delivered' || followed === undefined) return
    const delivery = event as unknown as { origin: string; seq: number; hops: number; channel: string }
    if (delivery.channel !== CHANNEL || delivery.origin !== followed.origin || delivery.seq !== followed.seq)
      return
    if (!Number.isNaN(deliveredAt[index] as number)) {
      // a node that delivers one message twice: Plumtree's deduplication failed
      deliveredTwice++
      return
    }
    deliveredAt[index] = at - followed.at
    hopsOf[index] = delivery.hops
    deliveredCount++
  }
  const sim = new OverlaySimulation(
    {
      ...OVERLAY_SCENARIO_DEFAULTS,
      nodes: scenario.nodes,
      seed: scenario.seed,
      // the overlay's timings for links of tens of milliseconds
      connectionClass: 'wan',
      latencyMs: scenario.latencyMs,
      contacts: Math.min(3, scenario.nodes),
      joinSpreadMs: Math.min(2_000, scenario.nodes),
    },
    { modules: [module], onEvent },
  )
  const broadcastCore = (index: number): Plumtree | undefined => sim.host.node(index)?.core(module)
  progress(`overlay: ${scenario.nodes} nodes joining`)
  sim.startAll()
  sim.run(Math.min(2_000, scenario.nodes))
  const overlaySettleMs = sim.runUntil(
    (graph) => graph.upNodes === scenario.nodes && graph.components === 1 && graph.minDegree >= 1,
    60_000,
    250,
  )
  // heartbeats measure round trips, and the overlay trades far neighbours for near ones in this time
  sim.run(scenario.warmupMs)
  if (scenario.lossRate > 0) sim.network.setFaultRates({ lossRate: scenario.lossRate })
  const traffic = sim.host.protocolTraffic(module.id)
  const outcomes: BroadcastOutcome[] = []
  // its own stream: which nodes broadcast never moves a draw of the overlay's
  const random = new Random(scenario.seed).fork('broadcasts')
  const payload = new Uint8Array(scenario.payloadBytes)
  for (let b = 0; b < scenario.broadcasts; b++) {
    const live: number[] = []
    for (let i = 0; i < scenario.nodes; i++) if (sim.host.isUp(i)) live.push(i)
    const origin = live[random.intBelow(live.length)] as number
    deliveredAt.fill(Number.NaN)
    deliveredCount = 0
    deliveredTwice = 0
    const before = {
      messages: traffic.messagesSent,
      bytes: traffic.bytesSent,
      ...totals(live, broadcastCore),
    }
    progress(`broadcast ${b + 1} of ${scenario.broadcasts} from n${origin}`)
    // as an input of the node, so that its sends leave now (a core called directly would hold them
    // until the node's next wake-up); its own delivery reaches `onEvent` once the id is known
    followed = { origin: sim.ids[origin] as string, seq: Number.NaN, at: sim.now }
    const target = followed
    sim.host.poke(origin, (node, now) => {
      target.seq = node.act(now, module, (core) => core.broadcast(now, CHANNEL, payload)).seq
    })
    const start = sim.now
    while (deliveredCount < live.length && sim.now - start < scenario.limitMs) sim.run(5)
    // let the stragglers' duplicates, prunes and grafts finish before the traffic is read
    sim.run(Math.max(0, scenario.gapMs - (sim.now - start)))
    const after = totals(live, broadcastCore)
    const delays: number[] = []
    let maxHops = 0
    for (const index of live) {
      const delay = deliveredAt[index] as number
      if (Number.isNaN(delay)) continue
      delays.push(delay)
      maxHops = Math.max(maxHops, hopsOf[index] as number)
    }
    delays.sort((x, y) => x - y)
    outcomes.push({
      coverage: delays.length / live.length,
      delivered: delays.length,
      deliveredTwice,
      live: live.length,
      convergence: {
        p50Ms: round1(quantile(delays, 0.5)),
        p99Ms: round1(quantile(delays, 0.99)),
        maxMs: round1(delays[delays.length - 1] ?? Number.NaN),
      },
      maxHops,
      messagesPerNode: round1((traffic.messagesSent - before.messages) / live.length),
      bytesPerNode: round1((traffic.bytesSent - before.bytes) / live.length),
      duplicatesPerNode: round1((after.duplicates - before.duplicates) / live.length),
      payloadsPerNode: round1((after.payloads - before.payloads) / live.length),
      grafts: after.grafts - before.grafts,
    })
  }
  followed = undefined
  const [first, ...later] = outcomes
  return {
    nodes: scenario.nodes,
    seed: scenario.seed,
    lossRate: scenario.lossRate,
    latencyMs: scenario.latencyMs,
    overlaySettleMs: overlaySettleMs ?? null,
    first: first as BroadcastOutcome,
    later,
    wallMs: Math.round(performance.now() - started),
    replay: broadcastReplay(scenario),
  }
}

function totals(
  live: readonly number[],
  core: (index: number) => Plumtree | undefined,
): { duplicates: number; grafts: number; payloads: number } {
  let duplicates = 0
  let grafts = 0
  let payloads = 0
  for (const index of live) {
    const counters = core(index)?.counters
    if (counters === undefined) continue
    duplicates += counters.duplicates
    grafts += counters.graftsSent
    payloads += counters.gossipSent
  }
  return { duplicates, grafts, payloads }
}
