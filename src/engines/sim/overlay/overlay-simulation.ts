/**
 * A simulated overlay: MeshNodes running the overlay module alone — no membership, as a million-node
 * run must — on the simulator's scheduler and network (`SimHost`), one seed fixing the whole run. Nodes
 * join through a few contacts over a spread of start times; a test or benchmark then runs time forward,
 * crashes nodes, and reads the shape of the active graph (`overlay-graph.ts`).
 *
 * Each subsystem draws from its own fork of the seed (`network`, `clocks`, `scenario`, `node-<i>`), as the
 * membership runs do, so changing one never moves another's draws.
 */
import {
  type ConnectionClass,
  type Millis,
  type NodeId,
  Random,
  StandInSigner,
} from '../../../kernel/index.ts'
import { LINK_MODELS, MeshNode, type NodeEvent } from '../../../node/index.ts'
import type { AnyModule } from '../../../protocols/index.ts'
import {
  type Overlay,
  type OverlayConfig,
  overlayConfig,
  overlayModule,
} from '../../../protocols/overlay/index.ts'
import { SkewedClock } from '../clock.ts'
import { SimNetwork } from '../network.ts'
import { Scheduler } from '../scheduler.ts'
import { SimHost } from '../sim-host.ts'
import { analyseOverlay, type OverlayGraph } from './overlay-graph.ts'

export interface OverlayScenario {
  readonly nodes: number
  readonly seed: number
  /** Link latencies (`node/link-models.ts`) and the overlay preset. */
  readonly connectionClass: ConnectionClass
  /** Nodes 0 … contacts − 1 are the contacts everyone joins through. */
  readonly contacts: number
  /** Start times are uniform over this span (the contacts start first, at 0). */
  readonly joinSpreadMs: number
  /** Encode and decode every message (exercises the codec; slower). */
  readonly wire: boolean
  readonly lossRate: number
  /** One-way link latency range, overriding the connection class's (the broadcast runs use 5–150 ms). */
  readonly latencyMs?: { readonly min: number; readonly max: number }
  readonly config: Partial<OverlayConfig>
}

/** What a run on top of the overlay adds: more modules on every node, and a look at their events. */
export interface OverlayExtras {
  readonly modules?: readonly AnyModule[]
  readonly onEvent?: (index: number, event: NodeEvent, at: Millis) => void
}

export const OVERLAY_SCENARIO_DEFAULTS: Omit<OverlayScenario, 'nodes' | 'seed'> = Object.freeze({
  connectionClass: 'lan',
  contacts: 3,
  joinSpreadMs: 2_000,
  wire: false,
  lossRate: 0,
  config: {},
})

/** How to replay a run from the command line. */
export function overlayReplayHint(scenario: OverlayScenario): string {
  return `seed ${scenario.seed} (${scenario.nodes} nodes, ${scenario.connectionClass}); replay with MESHWORK_OVERLAY_SEED=${scenario.seed}`
}

export class OverlaySimulation {
  readonly scenario: OverlayScenario
  readonly config: OverlayConfig
  readonly ids: readonly NodeId[]
  readonly scheduler = new Scheduler()
  readonly network: SimNetwork
  readonly host: SimHost
  private readonly root: Random
  private readonly random: Random
  private readonly indexOf = new Map<NodeId, number>()
  private readonly module: ReturnType<typeof overlayModule>
  private readonly coreOwners: (MeshNode | undefined)[] = []
  private readonly cores: (Overlay | undefined)[] = []
  /** NeighborUp and NeighborDown events seen, and the simulated time of the last one. */
  viewChanges = 0
  lastViewChangeAt: Millis = 0

  constructor(scenario: OverlayScenario, extras: OverlayExtras = {}) {
    this.scenario = scenario
    this.config = overlayConfig(scenario.connectionClass, scenario.config)
    this.root = new Random(scenario.seed)
    this.random = this.root.fork('scenario')
    const ids = Array.from({ length: scenario.nodes }, (_, i) => `n${i}`)
    this.ids = ids
    for (let i = 0; i < ids.length; i++) this.indexOf.set(ids[i] as NodeId, i)
    const link = LINK_MODELS[scenario.connectionClass]
    this.network = new SimNetwork(this.root.fork('network'), {
      latency:
        scenario.latencyMs === undefined
          ? { minMs: link.minDelayMs, maxMs: link.maxDelayMs, jitterMs: link.jitterMs }
          : { minMs: scenario.latencyMs.min, maxMs: scenario.latencyMs.max, jitterMs: 0 },
      lossRate: scenario.lossRate,
      duplicateRate: 0,
      reorderRate: 0,
    })
    // one exact clock shared by all: skew is membership's concern, the overlay only measures intervals
    const clock = SkewedClock.exact()
    this.module = overlayModule({ config: scenario.config })
    const modules: AnyModule[] = [this.module, ...(extras.modules ?? [])]
    const overlayProtocol = this.module.id
    this.host = new SimHost({
      scheduler: this.scheduler,
      network: this.network,
      ids,
      clocks: ids.map(() => clock),
      wire: scenario.wire,
      create: (index, localNow) =>
        new MeshNode({
          self: ids[index] as NodeId,
          now: localNow,
          random: this.root.fork(`node-${index}`),
          signer: new StandInSigner(ids[index] as NodeId),
          connectionClass: scenario.connectionClass,
          addresses: [],
          modules,
        }),
      onEvent: (index, event, at) => {
        if (event.protocol === overlayProtocol) {
          this.viewChanges++
          this.lastViewChangeAt = at
        }
        extras.onEvent?.(index, event, at)
      },
    })
  }

  get now(): Millis {
    return this.scheduler.now
  }

  /** Schedules every node's start: the contacts at 0, the others uniformly over the join spread. */
  startAll(): void {
    const contacts = this.ids.slice(0, this.scenario.contacts)
    for (let index = 0; index < this.ids.length; index++) {
      const at = index < contacts.length ? 0 : this.random.float() * this.scenario.joinSpreadMs
      const seeds = contacts.filter((id) => id !== this.ids[index])
      this.scheduler.at(this.now + at, () =>
        this.host.start(index, (node, now) => node.hint(now, { kind: 'seeds', peers: seeds })),
      )
    }
  }

  run(durationMs: Millis): void {
    this.scheduler.runUntil(this.now + durationMs)
  }

  /**
   * Runs in steps of `stepMs` until `done(graph)` holds or `limitMs` passes; returns the simulated time
   * it took (from now), or undefined when it never held.
   */
  runUntil(done: (graph: OverlayGraph) => boolean, limitMs: Millis, stepMs: Millis): Millis | undefined {
    const start = this.now
    for (;;) {
      if (done(this.graph())) return this.now - start
      if (this.now - start >= limitMs) return undefined
      this.run(stepMs)
    }
  }

  /** Crashes `count` nodes drawn at random (never all): their state and messages in flight are gone. */
  crashRandom(count: number): number[] {
    const up = this.ids.map((_, i) => i).filter((i) => this.host.isUp(i))
    const victims = this.random.sample(up, Math.min(count, up.length - 1))
    for (const index of victims) this.host.crash(index)
    return victims
  }

  /** The overlay core of node `index`, or undefined while it is down (remembered per node life). */
  core(index: number): Overlay | undefined {
    const node = this.host.node(index)
    if (node === undefined) return undefined
    if (this.coreOwners[index] !== node) {
      this.coreOwners[index] = node
      this.cores[index] = node.core(this.module)
    }
    return this.cores[index]
  }

  index(id: NodeId): number {
    return this.indexOf.get(id) ?? -1
  }

  /** The active graph now. */
  graph(): OverlayGraph {
    return analyseOverlay(
      {
        size: this.ids.length,
        isUp: (index) => this.host.isUp(index),
        neighbors: (index) =>
          this.core(index)
            ?.activeView()
            .map((id) => this.index(id)) ?? [],
        longLinks: (index) => this.core(index)?.longLinkCount ?? 0,
      },
      this.config.longLinks,
    )
  }

  /**
   * Mean base RTT (twice the one-way base latency) of the live nodes' links, near and long apart, and
   * of random pairs for comparison: what the RTT preference bought.
   */
  linkRtts(): { readonly nearMs: number; readonly longMs: number; readonly randomPairMs: number } {
    let nearSum = 0
    let nearCount = 0
    let longSum = 0
    let longCount = 0
    for (let a = 0; a < this.ids.length; a++) {
      for (const { id, long } of this.core(a)?.neighbors() ?? []) {
        const rtt = 2 * this.network.baseLatencyMs(a, this.index(id))
        if (long) {
          longSum += rtt
          longCount++
        } else {
          nearSum += rtt
          nearCount++
        }
      }
    }
    const pairs = new Random(this.scenario.seed).fork('rtt-pairs')
    let randomSum = 0
    for (let i = 0; i < 1_000; i++) {
      randomSum +=
        2 * this.network.baseLatencyMs(pairs.intBelow(this.ids.length), pairs.intBelow(this.ids.length))
    }
    return {
      nearMs: nearCount === 0 ? Number.NaN : nearSum / nearCount,
      longMs: longCount === 0 ? Number.NaN : longSum / longCount,
      randomPairMs: randomSum / 1_000,
    }
  }
}
