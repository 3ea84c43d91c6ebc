/**
 * A whole simulated membership cluster for one run: the scheduler, the network, every node's skewed
 * clock and core, the ground truth of what the run did to them (`ground-truth.ts`), the checkers that
 * see every event and step (`checker.ts`), and the conditions the phases wait for (convergence). The
 * phases (`phase.ts`, `phases/`) drive it; `run.ts` reports on it.
 */
import { type Millis, type NodeId, Random, StandInSigner } from '../../../kernel/index.ts'
import { LINK_MODELS, MeshNode } from '../../../node/index.ts'
import {
  type Membership,
  type MembershipConfig,
  membershipConfig,
  membershipModule,
} from '../../../protocols/membership/index.ts'
import { SkewedClock } from '../clock.ts'
import { SimNetwork } from '../network.ts'
import { Scheduler } from '../scheduler.ts'
import { SimHost } from '../sim-host.ts'
import type { Checker, CheckerContext, CheckerFactory, RunView, Violation } from './checker.ts'
import { GroundTruth } from './ground-truth.ts'
import type { RunMeasurements } from './phase.ts'
import type { MembershipScenario } from './scenario.ts'

/** Timing of the phases for each connection class, in multiples that keep every class meaningful. */
const PHASE_SCALE = { lan: 1, wan: 10, mobile: 20, hostile: 10 } as const
const CHECK_STEP_MS = 10
/** Violations kept per run (the first ones say what went wrong; the rest repeat it). */
const MAX_VIOLATIONS = 20

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
  readonly truth: GroundTruth
  readonly checkers: Checker[] = []
  readonly violations: Violation[] = []
  readonly context: CheckerContext
  readonly measurements: RunMeasurements = {
    joinConvergenceMs: null,
    steadyBytesPerNodePerSecond: 0,
    partition: null,
    convergenceAfterFaultsMs: null,
    extra: new Map(),
  }
  eventCount = 0
  readonly host: SimHost
  /** Every node runs the membership module (one descriptor: its codec and preset are shared). */
  readonly membershipModule: ReturnType<typeof membershipModule>
  /** The node each remembered core belongs to, and the core (`membership`). */
  private readonly coreOwners: (MeshNode | undefined)[] = []
  private readonly cores: (Membership | undefined)[] = []
  /** Each node's current life (a restart is a new life with a fresh random stream). */
  private readonly lives: Int32Array
  /** What the checkers see of the cluster besides events. */
  readonly view: RunView

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
    this.truth = new GroundTruth(s.nodes)
    this.context = {
      scenario: s,
      config: this.config,
      truth: this.truth,
      indexOf: (id) => indexOf.get(id),
      violate: (checker, at, message) => this.violate(checker, at, message),
    }
    this.lives = new Int32Array(s.nodes)
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
      onEvent: (index, event, at) => {
        this.eventCount++
        for (const checker of this.checkers) checker.onEvent?.(index, event, at)
      },
    })
    const cluster = this
    this.view = {
      get now() {
        return cluster.scheduler.now
      },
      truth: this.truth,
      ids,
      stateOf: (observer, subject) => this.membership(observer)?.member(ids[subject] as NodeId)?.state,
      isLeaving: (index) => this.membership(index)?.isLeaving === true,
      incarnationOf: (index) => this.membership(index)?.incarnation,
      rejections: this.host.rejections,
    }
  }

  /** Adds checkers (each sees every event from now on and every later step). */
  check(...factories: CheckerFactory[]): Checker[] {
    const added = factories.map((factory) => factory(this.context))
    this.checkers.push(...added)
    return added
  }

  violate(checker: string, at: Millis, message: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ checker, at, message })
  }

  /** Starts node `index` (its first life, or a restart) and records it in the ground truth. */
  start(index: number, setup?: Parameters<SimHost['start']>[1]): void {
    this.truth.started(index, this.scheduler.now)
    this.host.start(index, setup)
  }

  /** Stops node `index` (a crash, or the end of a graceful leave): its state and messages are gone. */
  stop(index: number): void {
    this.truth.stopped(index)
    this.host.crash(index)
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
    this.lives[index] = (this.lives[index] as number) + 1
    this.start(index, (node, now) => node.hint(now, { kind: 'seeds', peers: this.ids.slice(0, 3) }))
  }

  /** Cuts the network into `groups`; `mustReport` are the groups whose nodes must report it. */
  partition(groups: Int8Array, mustReport: readonly number[] = []): void {
    this.truth.startCut(groups, this.scenario.partitionMode, this.scheduler.now, mustReport)
    this.network.partition((node) => groups[node] as number, this.scenario.partitionMode)
  }

  heal(): void {
    this.network.heal()
    this.truth.heal(this.scheduler.now)
  }

  /** Safety, checked at every step of the fault phases: every checker looks at the cluster. */
  checkSafety(): void {
    for (const checker of this.checkers) checker.onStep?.(this.view)
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
