/**
 * A simulated pub/sub run: MeshNodes with the overlay, broadcast and pub/sub modules on the overlay
 * harness (`engines/sim/overlay/overlay-simulation.ts`), as the broadcast simulation runs them. The
 * overlay forms and settles; every node subscribes to one topic `ordered`, and every tenth node also
 * `as-arrives` and `latest-only`; then a few publishers publish at a steady interval, loss applying from
 * the first publication on, and the run follows every delivery.
 *
 * It checks what a subscriber is promised: every subscription of `ordered` and `as-arrives` receives
 * every publication exactly once, `ordered` ones in per-publisher sequence, `latest-only` ones never an
 * older one after a newer; and it measures the delay from publication to delivery.
 *
 * It lives beside the module because it is the module's test and benchmark harness; by the layering it
 * belongs with the broadcast one under `engines/sim/` (it imports the simulator, which protocol code
 * never does). It reads no clock: wall time is the caller's to measure.
 */

import {
  OVERLAY_SCENARIO_DEFAULTS,
  OverlaySimulation,
} from '../../../engines/sim/overlay/overlay-simulation.ts'
import { type Millis, Random } from '../../../kernel/index.ts'
import type { NodeEvent } from '../../../node/index.ts'
import { BROADCAST_PROTOCOL, type BroadcastConfig, broadcastModule } from '../../broadcast/index.ts'
import type { PubSubConfig } from '../config.ts'
import { pubsubModule } from '../module.ts'
import type { DeliveryMode, ReceivedEvent } from '../types.ts'

export interface PubSubScenario {
  readonly nodes: number
  readonly seed: number
  readonly lossRate: number
  /** One-way link latency range. */
  readonly latencyMs: { readonly min: number; readonly max: number }
  readonly publishers: number
  readonly publicationsPerPublisher: number
  /** Simulated time between two publications of one publisher. */
  readonly intervalMs: Millis
  /** Simulated time the settled overlay runs before the first publication. */
  readonly warmupMs: Millis
  /** After the last publication, deliveries are awaited at most this long. */
  readonly limitMs: Millis
  /** Once everything was delivered, the run goes on this long to catch a duplicate. */
  readonly settleMs: Millis
  readonly payloadBytes: number
  readonly config: Partial<PubSubConfig>
  readonly broadcast: Partial<BroadcastConfig>
}

export const PUBSUB_SCENARIO_DEFAULTS: Omit<PubSubScenario, 'nodes' | 'seed'> = Object.freeze({
  lossRate: 0,
  latencyMs: Object.freeze({ min: 5, max: 150 }),
  publishers: 4,
  publicationsPerPublisher: 10,
  intervalMs: 200,
  warmupMs: 10_000,
  limitMs: 15_000,
  settleMs: 2_000,
  payloadBytes: 64,
  config: {},
  broadcast: {},
})

/** What the subscriptions of one delivery mode received. */
export interface ModeOutcome {
  readonly subscriptions: number
  /** Deliveries a subscription of this mode is owed: one per publication (latest-only: none owed). */
  readonly expected: number
  readonly delivered: number
  /** Publications never delivered to some subscription of this mode, counted per subscription. */
  readonly missing: number
  /** Deliveries of a publication a subscription had already received. */
  readonly duplicates: number
  /** Deliveries of a publication with a sequence number at or below the last one from its publisher. */
  readonly outOfOrder: number
}

export interface PubSubReport {
  readonly nodes: number
  readonly seed: number
  readonly lossRate: number
  readonly latencyMs: { readonly min: number; readonly max: number }
  readonly publishers: number
  readonly publications: number
  /** Publications offered per simulated second, over all publishers. */
  readonly publishRatePerS: number
  readonly overlaySettleMs: Millis | null
  readonly modes: Readonly<Record<DeliveryMode, ModeOutcome>>
  /** Publication to delivery at the `ordered` subscriptions (simulated ms). */
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number }
  /** From the first publication until the last `ordered` delivery (simulated ms). */
  readonly spanMs: number
  /** Deliveries to subscriptions per simulated second over the span. */
  readonly deliveriesPerS: number
  readonly gapSkips: number
  readonly rejections: number
  /** The most publications any node held back behind gaps at the end of a step. */
  readonly maxHeld: number
  /**
   * The longest an `ordered` subscription held a publication back behind a gap: its delivery there
   * after its arrival (its `as-arrives` delivery) at the nodes that subscribe both ways.
   */
  readonly maxReorderWaitMs: number
  /** Broadcast traffic per node while publications spread (all protocols' bytes are in the overlay's). */
  readonly broadcastMessagesPerNode: number
  readonly broadcastBytesPerNode: number
  /** Simulated events the run handled: the simulator's cost, for deliveries per wall second. */
  readonly deliveries: number
  readonly replay: string
}

const TOPIC = 'sim/facts'
const MODES: readonly DeliveryMode[] = ['ordered', 'as-arrives', 'latest-only']
/** Every this many nodes, one subscribes in every mode (the others `ordered` only). */
const ALL_MODES_EVERY = 10

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

const round1 = (value: number): number => Math.round(value * 10) / 10

export function pubsubReplayHint(scenario: PubSubScenario): string {
  return `seed ${scenario.seed} (${scenario.nodes} nodes, loss ${scenario.lossRate}, a publication every ${scenario.intervalMs} ms from ${scenario.publishers}): MESHWORK_PUBSUB_SEED=${scenario.seed} node --test test/sim/pubsub-1000.test.ts, or node bench/pubsub-sim.ts --seed ${scenario.seed}`
}

/** Per mode, per subscription slot: what was received, and the last seq per publisher. */
class ModeTally {
  readonly received: Uint8Array
  readonly lastSeq: Int32Array
  readonly publications: number
  readonly publishers: number
  subscriptions = 0
  delivered = 0
  duplicates = 0
  outOfOrder = 0

  constructor(slots: number, publications: number, publishers: number) {
    this.publications = publications
    this.publishers = publishers
    this.received = new Uint8Array(slots * publications)
    this.lastSeq = new Int32Array(slots * publishers)
  }

  record(slot: number, publisherSlot: number, seq: number, perPublisher: number): void {
    this.delivered++
    const cell = slot * this.publications + publisherSlot * perPublisher + (seq - 1)
    if ((this.received[cell] as number) > 0) this.duplicates++
    this.received[cell] = Math.min(255, (this.received[cell] as number) + 1)
    const last = slot * this.publishers + publisherSlot
    if (seq <= (this.lastSeq[last] as number)) this.outOfOrder++
    else this.lastSeq[last] = seq
  }

  outcome(owed: boolean, slots: readonly number[]): ModeOutcome {
    let missing = 0
    if (owed) {
      for (const slot of slots)
        for (let p = 0; p < this.publications; p++)
          if (this.received[slot * this.publications + p] === 0) missing++
    }
    return {
      subscriptions: this.subscriptions,
      expected: owed ? this.subscriptions * this.publications : 0,
      delivered: this.delivered,
      missing,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
    }
  }
}

export function runPubSubSimulation(
  scenario: PubSubScenario,
  progress: (line: string) => void = () => {},
): PubSubReport {
  const broadcast = broadcastModule({ config: scenario.broadcast })
  const pubsub = pubsubModule({ config: scenario.config })
  const perPublisher = scenario.publicationsPerPublisher
  const publications = scenario.publishers * perPublisher
  const tallies = new Map(
    MODES.map((mode) => [mode, new ModeTally(scenario.nodes, publications, scenario.publishers)]),
  )
  // per node, subscription id → mode; per publisher id, its slot; per publication, when it was published
  const modeOf: Map<number, DeliveryMode>[] = Array.from({ length: scenario.nodes }, () => new Map())
  const publisherSlot = new Map<string, number>()
  const publishedAt = new Float64Array(publications).fill(Number.NaN)
  const delays: number[] = []
  const arrivedAt = new Float64Array(scenario.nodes * publications).fill(Number.NaN)
  let maxReorderWaitMs = 0
  let gapSkips = 0
  let lastOrderedAt = 0
  const onEvent = (index: number, { protocol, event }: NodeEvent, at: Millis): void => {
    if (protocol !== pubsub.id) return
    if (event.type === 'GapSkipped') gapSkips++
    if (event.type !== 'Received') return
    const received = event as unknown as ReceivedEvent
    const slot = publisherSlot.get(received.publisher)
    const mode = modeOf[index]?.get(received.subscription)
    if (slot === undefined || mode === undefined || received.seq > perPublisher) return
    ;(tallies.get(mode) as ModeTally).record(index, slot, received.seq, perPublisher)
    const publication = slot * perPublisher + received.seq - 1
    const cell = index * publications + publication
    // as-arrives is delivered first within an input, so an ordered delivery finds its arrival time
    if (mode === 'as-arrives' && Number.isNaN(arrivedAt[cell] as number)) arrivedAt[cell] = at
    if (mode === 'ordered') {
      delays.push(at - (publishedAt[publication] as number))
      const arrived = arrivedAt[cell] as number
      if (!Number.isNaN(arrived)) maxReorderWaitMs = Math.max(maxReorderWaitMs, at - arrived)
      lastOrderedAt = at
    }
  }
  const sim = new OverlaySimulation(
    {
      ...OVERLAY_SCENARIO_DEFAULTS,
      nodes: scenario.nodes,
      seed: scenario.seed,
      connectionClass: 'wan',
      latencyMs: scenario.latencyMs,
      contacts: Math.min(3, scenario.nodes),
      joinSpreadMs: Math.min(2_000, scenario.nodes),
    },
    { modules: [broadcast, pubsub], onEvent },
  )
  progress(`overlay: ${scenario.nodes} nodes joining`)
  sim.startAll()
  sim.run(Math.min(2_000, scenario.nodes))
  const overlaySettleMs = sim.runUntil(
    (graph) => graph.upNodes === scenario.nodes && graph.components === 1 && graph.minDegree >= 1,
    60_000,
    250,
  )
  sim.run(scenario.warmupMs)
  const subscribers: number[] = []
  for (let index = 0; index < scenario.nodes; index++) {
    if (!sim.host.isUp(index)) continue
    subscribers.push(index)
    const modes = index % ALL_MODES_EVERY === 0 ? MODES : MODES.slice(0, 1)
    sim.host.poke(index, (node, now) => {
      for (const delivery of modes) {
        const id = node.act(now, pubsub, (core) => core.subscribe(TOPIC, { delivery }))
        modeOf[index]?.set(id, delivery)
        ;(tallies.get(delivery) as ModeTally).subscriptions++
      }
    })
  }
  if (scenario.lossRate > 0) sim.network.setFaultRates({ lossRate: scenario.lossRate })
  // its own stream: who publishes, and when, never moves a draw of the overlay's
  const random = new Random(scenario.seed).fork('publishers')
  const origins = random.sample(subscribers, scenario.publishers)
  const payload = new Uint8Array(scenario.payloadBytes)
  const start = sim.now
  for (const [slot, origin] of origins.entries()) {
    publisherSlot.set(sim.ids[origin] as string, slot)
    const offset = random.float() * scenario.intervalMs
    for (let i = 0; i < perPublisher; i++) {
      sim.scheduler.at(start + offset + i * scenario.intervalMs, () =>
        sim.host.poke(origin, (node, now) => {
          // before the act: the publisher's own subscription receives it within the act
          publishedAt[slot * perPublisher + i] = sim.now
          node.act(now, pubsub, (core) => core.publish(now, TOPIC, payload))
        }),
      )
    }
  }
  progress(`publishing: ${publications} publications from ${origins.length} publishers`)
  const traffic = sim.host.protocolTraffic(BROADCAST_PROTOCOL)
  const before = { messages: traffic.messagesSent, bytes: traffic.bytesSent }
  const ordered = tallies.get('ordered') as ModeTally
  const asArrives = tallies.get('as-arrives') as ModeTally
  const owed = (ordered.subscriptions + asArrives.subscriptions) * publications
  const publishEnd = start + scenario.intervalMs * perPublisher
  let maxHeld = 0
  while (
    (ordered.delivered + asArrives.delivered < owed || sim.now < publishEnd) &&
    sim.now < publishEnd + scenario.limitMs
  ) {
    sim.run(50)
    for (const index of subscribers)
      maxHeld = Math.max(maxHeld, sim.host.node(index)?.core(pubsub)?.heldCount ?? 0)
  }
  sim.run(scenario.settleMs)
  let rejections = 0
  for (const index of subscribers) rejections += sim.host.node(index)?.core(pubsub)?.rejections.total ?? 0
  delays.sort((x, y) => x - y)
  const spanMs = Math.max(1, lastOrderedAt - start)
  let deliveries = 0
  for (const tally of tallies.values()) deliveries += tally.delivered
  const owedSlots = (mode: DeliveryMode): number[] =>
    subscribers.filter((index) => [...(modeOf[index]?.values() ?? [])].includes(mode))
  return {
    nodes: scenario.nodes,
    seed: scenario.seed,
    lossRate: scenario.lossRate,
    latencyMs: scenario.latencyMs,
    publishers: origins.length,
    publications,
    publishRatePerS: round1((origins.length * 1_000) / scenario.intervalMs),
    overlaySettleMs: overlaySettleMs ?? null,
    modes: {
      ordered: ordered.outcome(true, owedSlots('ordered')),
      'as-arrives': asArrives.outcome(true, owedSlots('as-arrives')),
      'latest-only': (tallies.get('latest-only') as ModeTally).outcome(false, []),
    },
    latency: {
      p50Ms: round1(quantile(delays, 0.5)),
      p99Ms: round1(quantile(delays, 0.99)),
      maxMs: round1(delays[delays.length - 1] ?? Number.NaN),
    },
    spanMs: round1(spanMs),
    deliveriesPerS: round1((deliveries * 1_000) / spanMs),
    gapSkips,
    rejections,
    maxHeld,
    maxReorderWaitMs: round1(maxReorderWaitMs),
    broadcastMessagesPerNode: round1((traffic.messagesSent - before.messages) / subscribers.length),
    broadcastBytesPerNode: round1((traffic.bytesSent - before.bytes) / subscribers.length),
    deliveries,
    replay: pubsubReplayHint(scenario),
  }
}
