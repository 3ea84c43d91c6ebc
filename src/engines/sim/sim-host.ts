/**
 * Runs sans-IO cores on the simulator: one core per node, driven by the scheduler, talking through the
 * simulated network, each with its own skewed clock. Crash drops a node's state and everything in flight
 * to it; restart builds a fresh core under the same id (a process that lost its memory).
 *
 * Wake-ups: after every input the host asks the core for `nextDeadline()` (local time), converts it to
 * simulated time and schedules a wake-up only when it is earlier than the one already pending. A wake-up
 * that was superseded by a later one, or by a crash or restart, is ignored (each carries the node's wake
 * number, which those bump), so no cancellation is needed.
 *
 * Wire mode encodes every message once per send and decodes every delivered copy, so the run exercises
 * the real codec; otherwise message objects are passed by reference and sizes are computed for accounting.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'
import type { Core } from '../../protocols/core.ts'
import type { SkewedClock } from './clock.ts'
import type { SimNetwork } from './network.ts'
import type { Scheduler } from './scheduler.ts'

export interface WireCodec<M> {
  encode(message: M): Uint8Array
  decode(bytes: Uint8Array): { ok: true; value: M } | { ok: false; error: string }
  /** Encoded size without allocating (used when not in wire mode). */
  size(message: M): number
}

export interface SimHostOptions<M, E, C extends Core<M, M, E>> {
  readonly scheduler: Scheduler
  readonly network: SimNetwork
  readonly ids: readonly NodeId[]
  readonly clocks: readonly SkewedClock[]
  readonly codec: WireCodec<M>
  /** Encode and decode every message (slower; exercises the codec on the real path). */
  readonly wire: boolean
  /** Builds the core for node `index` (called at start and at every restart). */
  readonly create: (index: number, localNow: Millis) => C
  /** Every event a core emits, with the emitting node's index and the simulated time. */
  readonly onEvent: (index: number, event: E, simNow: Millis) => void
}

interface HostedNode<C> {
  core: C | undefined
  /** Simulated time of the pending wake-up, or +∞ when none is pending. */
  wakeAt: number
  /**
   * Numbers the node's wake-ups: bumped for every one scheduled and at every start and crash, so a
   * wake-up whose number is no longer the node's was superseded (or belongs to an earlier life).
   */
  wakeNumber: number
}

/** Wake-ups carry `index + wakeNumber · NODE_SPAN` as their payload: at most 2^21 nodes, 2^31 numbers. */
const NODE_SPAN = 2 ** 21
const WAKE_NUMBERS = 2 ** 31

export interface TrafficCounters {
  messagesSent: number
  bytesSent: number
  rejectedFrames: number
}

export class SimHost<M, E, C extends Core<M, M, E>> {
  private readonly options: SimHostOptions<M, E, C>
  private readonly nodes: HostedNode<C>[]
  private readonly indexOf = new Map<NodeId, number>()
  private readonly copies: number[] = []
  /** Per-node traffic, for bytes and messages per node per second. */
  readonly traffic: TrafficCounters = { messagesSent: 0, bytesSent: 0, rejectedFrames: 0 }
  /** Decode failures by reason (wire mode); any entry means a codec bug, since peers here are honest. */
  readonly rejections = new Map<string, number>()
  private readonly rejectedPerNode: number[] = []

  constructor(options: SimHostOptions<M, E, C>) {
    this.options = options
    this.nodes = options.ids.map((id, index) => {
      this.indexOf.set(id, index)
      return { core: undefined, wakeAt: Number.POSITIVE_INFINITY, wakeNumber: 0 }
    })
    if (options.ids.length > NODE_SPAN) throw new RangeError(`at most ${NODE_SPAN} nodes`)
  }

  get size(): number {
    return this.nodes.length
  }

  index(id: NodeId): number | undefined {
    return this.indexOf.get(id)
  }

  core(index: number): C | undefined {
    return this.nodes[index]?.core
  }

  isUp(index: number): boolean {
    return this.nodes[index]?.core !== undefined
  }

  localNow(index: number): Millis {
    return (this.options.clocks[index] as SkewedClock).local(this.options.scheduler.now)
  }

  /** Starts (or restarts) node `index` with a fresh core; `setup` may call join() and the like. */
  start(index: number, setup?: (core: C, localNow: Millis) => void): void {
    const node = this.nodes[index] as HostedNode<C>
    this.supersedeWake(node)
    const localNow = this.localNow(index)
    node.core = this.options.create(index, localNow)
    setup?.(node.core, localNow)
    this.afterInput(index)
  }

  crash(index: number): void {
    const node = this.nodes[index] as HostedNode<C>
    node.core = undefined
    this.supersedeWake(node)
  }

  private supersedeWake(node: HostedNode<C>): void {
    node.wakeNumber = (node.wakeNumber + 1) % WAKE_NUMBERS
    node.wakeAt = Number.POSITIVE_INFINITY
  }

  /** Runs `action` against a live core as an input at the current time, then handles its output. */
  poke(index: number, action: (core: C, localNow: Millis) => void): void {
    const core = this.nodes[index]?.core
    if (core === undefined) return
    action(core, this.localNow(index))
    this.afterInput(index)
  }

  private afterInput(index: number): void {
    const node = this.nodes[index] as HostedNode<C>
    const core = node.core
    if (core === undefined) return
    const { scheduler, onEvent } = this.options
    const now = scheduler.now
    for (const event of core.takeEvents()) onEvent(index, event, now)
    const outbox = core.takeOutbox()
    for (const { to, message } of outbox) this.send(index, to, message)
    const deadline = core.nextDeadline()
    if (deadline === undefined) return
    const at = Math.max(now, (this.options.clocks[index] as SkewedClock).toSim(deadline))
    if (at >= node.wakeAt && node.wakeAt >= now) return
    this.supersedeWake(node)
    node.wakeAt = at
    // a shared handler and a number rather than a closure per wake-up, which was garbage on every input
    scheduler.atWith(at, this.wake, index + node.wakeNumber * NODE_SPAN)
  }

  private readonly wake = (_now: Millis, payload: number): void => {
    const index = payload % NODE_SPAN
    const node = this.nodes[index] as HostedNode<C>
    if (node.wakeNumber !== (payload - index) / NODE_SPAN || node.core === undefined) return
    node.wakeAt = Number.POSITIVE_INFINITY
    node.core.tick(this.localNow(index))
    this.afterInput(index)
  }

  private send(fromIndex: number, to: NodeId, message: M): void {
    const toIndex = this.indexOf.get(to)
    if (toIndex === undefined) return
    const { codec, wire, network, scheduler } = this.options
    const bytes = wire ? codec.encode(message) : undefined
    this.traffic.messagesSent++
    this.traffic.bytesSent += bytes === undefined ? codec.size(message) : bytes.length
    const from = this.options.ids[fromIndex] as NodeId
    const count = network.deliveries(fromIndex, toIndex, this.copies)
    for (let i = 0; i < count; i++) {
      scheduler.afterWith(
        this.copies[i] as number,
        this.deliverSlot,
        this.park(toIndex, from, message, bytes),
      )
    }
  }

  // Messages in flight wait in parallel arrays and the scheduler carries only their slot number, so a
  // delivery allocates no closure: at 1,000 nodes and more, closure garbage was most of the run's time.
  private readonly parkedTo: number[] = []
  private readonly parkedFrom: NodeId[] = []
  private readonly parkedMessage: (M | undefined)[] = []
  private readonly parkedBytes: (Uint8Array | undefined)[] = []
  private readonly freeSlots: number[] = []

  private park(toIndex: number, from: NodeId, message: M, bytes: Uint8Array | undefined): number {
    const slot = this.freeSlots.pop() ?? this.parkedTo.length
    this.parkedTo[slot] = toIndex
    this.parkedFrom[slot] = from
    this.parkedMessage[slot] = message
    this.parkedBytes[slot] = bytes
    return slot
  }

  private readonly deliverSlot = (_now: Millis, slot: number): void => {
    const toIndex = this.parkedTo[slot] as number
    const from = this.parkedFrom[slot] as NodeId
    const message = this.parkedMessage[slot] as M
    const bytes = this.parkedBytes[slot]
    this.parkedMessage[slot] = undefined
    this.parkedBytes[slot] = undefined
    this.freeSlots.push(slot)
    this.deliver(toIndex, from, message, bytes)
  }

  /** Hands raw bytes to a node's decoder at once, as if `from` had sent them (hostile-input tests). */
  injectFrame(toIndex: number, from: NodeId, bytes: Uint8Array): void {
    const core = this.nodes[toIndex]?.core
    if (core === undefined) return
    const decoded = this.options.codec.decode(bytes)
    if (!decoded.ok) {
      this.countRejection(toIndex, decoded.error)
      return
    }
    core.receive(this.localNow(toIndex), from, decoded.value)
    this.afterInput(toIndex)
  }

  /** Frames node `index` refused to decode. */
  rejectedBy(index: number): number {
    return this.rejectedPerNode[index] ?? 0
  }

  private countRejection(toIndex: number, reason: string): void {
    this.traffic.rejectedFrames++
    this.rejectedPerNode[toIndex] = (this.rejectedPerNode[toIndex] ?? 0) + 1
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1)
  }

  private deliver(toIndex: number, from: NodeId, message: M, bytes: Uint8Array | undefined): void {
    const core = this.nodes[toIndex]?.core
    if (core === undefined) return
    let received = message
    if (bytes !== undefined) {
      const decoded = this.options.codec.decode(bytes)
      if (!decoded.ok) {
        this.countRejection(toIndex, decoded.error)
        return
      }
      received = decoded.value
    }
    core.receive(this.localNow(toIndex), from, received)
    this.afterInput(toIndex)
  }
}
