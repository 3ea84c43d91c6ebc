/**
 * A whole simulated membership cluster for one run: the scheduler, the network, every node's skewed
 * clock and core, the observer that knows the ground truth, and the checks the phases share (safety at
 * every step, convergence). The phases (`phases.ts`) drive it; `run.ts` reports on it.
 */
import { type Millis, type NodeId, Random, StandInSigner } from '../../../kernel/index.ts'
import { LINK_MODELS, MeshNode } from '../../../node/index.ts'
import {
  type Membership,
  type MembershipConfig,
  type MembershipEvent,
  membershipConfig,
  membershipModule,
} from '../../../protocols/membership/index.ts'
import { SkewedClock } from '../clock.ts'
import { SimNetwork } from '../network.ts'
import { Scheduler } from '../scheduler.ts'
import { SimHost } from '../sim-host.ts'
import { MembershipObserver } from './observer.ts'
import type { MembershipScenario } from './scenario.ts'

/** Timing of the phases for each connection class, in multiples that keep every class meaningful. */
const PHASE_SCALE = { lan: 1, wan: 10, mobile: 20, hostile: 10 } as const
const CHECK_STEP_MS = 10

export class SimulatedCluster {
  readonly scenario: MembershipScenario
  readonly config: MembershipConfig
  /** Phase durations scale with the connection class (a WAN probe interval is ten LAN ones). */
  readonly scale: number
  readonly root: Random
  /** Draws of the scenario itself (start times, victims, partitions), apart from the nodes' own. */
  readonly random: Random
  readonly ids: readonly NodeId[]
  readonly scheduler = new Scheduler()
  readonly network: SimNetwork
  readonly observer: MembershipObserver
  readonly host: SimHost
  /** Every node runs the membership module (one descriptor: its codec and preset are shared). */
  readonly membershipModule: ReturnType<typeof membershipModule>
  /** The node each remembered core belongs to, and the core (`membership`). */
  private readonly coreOwners: (MeshNode | undefined)[] = []
  private readonly cores: (Membership | undefined)[] = []
  /** Each node's current life (a restart is a new life with a fresh random stream). */
  private readonly lives: Int32Array
  private readonly lastIncarnation: Float64Array
  /** Partition ground truth: the groups in force, or those of the last partition and when it healed. */
  private groupOf: Int8Array | undefined
  private lastGroups: Int8Array | undefined
  private healedAt = Number.NEGATIVE_INFINITY

  constructor(s: MembershipScenario) {
    this.scenario = s
    this.config = membershipConfig(s.connectionClass, s.config)
    this.scale = PHASE_SCALE[s.connectionClass]
    this.root = new Random(s.seed)
    this.random = this.root.fork('scenario')
    const ids = Array.from({ length: s.nodes }, (_, i) => `n${i}`)
    this.ids = ids
    const indexOf = new Map(ids.map((id, i) => [id, i]))
    const link = LINK_MODELS[s.connectionClass]
    this.network = new SimNetwork(this.root.fork('network'), {
      latency: { minMs: link.minDelayMs, maxMs: link.maxDelayMs, jitterMs: link.jitterMs + s.extraJitterMs },
      lossRate: s.lossRate,
      duplicateRate: s.duplicateRate,
      reorderRate: s.reorderRate,
    })
    const clockRandom = this.root.fork('clocks')
    const clocks = ids.map(
      () =>
        new SkewedClock(
          clockRandom.floatBetween(-s.clockOffsetMaxMs, s.clockOffsetMaxMs),
          clockRandom.floatBetween(-s.clockDriftMaxPpm, s.clockDriftMaxPpm),
        ),
    )
    this.observer = new MembershipObserver((id) => indexOf.get(id))
    this.lives = new Int32Array(s.nodes)
    this.lastIncarnation = new Float64Array(s.nodes).fill(-1)
    this.membershipModule = membershipModule({ config: s.config })
    const modules = [this.membershipModule]
    this.host = new SimHost({
      scheduler: this.scheduler,
      network: this.network,
      ids,
      clocks,
      wire: s.wire,
      create: (index, localNow) =>
        new MeshNode({
          self: ids[index] as NodeId,
          now: localNow,
          random: this.root.fork(`node-${index}-life-${this.lives[index]}`),
          signer: new StandInSigner(ids[index] as NodeId),
          connectionClass: s.connectionClass,
          addresses: [`/sim/${index}`],
          modules,
        }),
      onEvent: (index, event, at) => this.observer.onEvent(index, event.event as MembershipEvent, at),
    })
    const minSuspicionMs = this.config.suspicionBaseMs * Math.max(1, Math.log10(s.nodes))
    const excuseAfterHealMs =
      minSuspicionMs * this.config.suspicionMaxMultiplier + 4 * this.config.probeTimeoutMaxMs
    this.observer.isUp = (subject) => this.host.isUp(subject)
    // failure reports across a cut are no false positives, during the partition and a while after it
    this.observer.excused = (a, b, at) => {
      if (this.groupOf !== undefined) return this.groupOf[a] !== this.groupOf[b]
      const last = this.lastGroups
      return last !== undefined && last[a] !== last[b] && at - this.healedAt < excuseAfterHealMs
    }
  }

  upNodes(): number[] {
    return this.ids.map((_, i) => i).filter((i) => this.host.isUp(i))
  }

  /** The membership core of node `index` (which must be up). */
  core(index: number): Membership {
    return this.membership(index) as Membership
  }

  /**
   * The membership core of node `index`, or undefined while it is down. Remembered per node life: the
   * safety check asks for every node's core every 10 ms, and the lookup through the node's modules was
   * a quarter of a steady phase's cost at 2,000 nodes.
   */
  membership(index: number): Membership | undefined {
    const node = this.host.node(index)
    if (node === undefined) return undefined
    if (this.coreOwners[index] !== node) {
      this.coreOwners[index] = node
      this.cores[index] = node.core(this.membershipModule)
    }
    return this.cores[index]
  }

  /** Starts a node again as a new life that joins through the first nodes. */
  restart(index: number): void {
    this.observer.restarted(index)
    this.lives[index] = (this.lives[index] as number) + 1
    this.lastIncarnation[index] = -1
    this.host.start(index, (node, now) => node.hint(now, { kind: 'seeds', peers: this.ids.slice(0, 3) }))
  }

  partition(groups: Int8Array): void {
    this.groupOf = groups
    this.network.partition((node) => groups[node] as number, this.scenario.partitionMode)
  }

  heal(): void {
    this.network.heal()
    this.lastGroups = this.groupOf
    this.groupOf = undefined
    this.healedAt = this.scheduler.now
  }

  /** Safety, checked at every step of the fault phase: nodes hold themselves alive, incarnations only grow. */
  checkSafety(): void {
    for (let i = 0; i < this.scenario.nodes; i++) {
      const core = this.membership(i)
      if (core === undefined) continue
      const self = core.selfRecord()
      if (self.state !== 'alive' && !core.isLeaving) {
        this.observer.violate('self-alive', this.scheduler.now, `node ${i} holds itself as ${self.state}`)
      }
      if (self.incarnation < (this.lastIncarnation[i] as number)) {
        this.observer.violate('incarnation-monotonic', this.scheduler.now, `node ${i} incarnation went down`)
      }
      this.lastIncarnation[i] = self.incarnation
    }
  }

  /** Every up node sees every other up node alive and no one suspect. */
  converged(): boolean {
    const up = this.upNodes()
    for (const i of up) {
      const counts = this.core(i).memberCounts()
      if (counts.alive !== up.length - 1 || counts.suspect !== 0) return false
    }
    for (const i of up) {
      const core = this.core(i)
      for (const j of up) if (j !== i && core.member(this.ids[j] as NodeId)?.state !== 'alive') return false
    }
    return true
  }

  /** Whether node `i` holds every down node as failed, left or forgotten. */
  seesDownNodesGone(i: number): boolean {
    const core = this.core(i)
    for (let j = 0; j < this.scenario.nodes; j++) {
      if (this.host.isUp(j)) continue
      const state = core.member(this.ids[j] as NodeId)?.state
      if (state === 'alive' || state === 'suspect') return false
    }
    return true
  }

  /** The first wrong belief found, for the liveness failure message. */
  describeDisagreement(): string {
    for (const i of this.upNodes()) {
      const core = this.core(i)
      for (let j = 0; j < this.scenario.nodes; j++) {
        if (j === i) continue
        const state = core.member(this.ids[j] as NodeId)?.state ?? 'unknown'
        const truth = this.host.isUp(j) ? 'alive' : 'down'
        if ((truth === 'alive') !== (state === 'alive'))
          return `n${i} sees n${j} as ${state} but it is ${truth}`
      }
    }
    return 'no disagreement found'
  }

  /** Runs until `predicate` holds (checked every 10 ms) or `limitMs` passes; the time it took, or null. */
  runUntilTrue(predicate: () => boolean, limitMs: Millis, safety = true): Millis | null {
    const start = this.scheduler.now
    for (let t = start; t <= start + limitMs; t += CHECK_STEP_MS) {
      this.scheduler.runUntil(t)
      if (safety) this.checkSafety()
      if (predicate()) return this.scheduler.now - start
    }
    return null
  }

  runFor(durationMs: Millis): void {
    this.runUntilTrue(() => false, durationMs)
  }
}
