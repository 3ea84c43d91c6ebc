/**
 * Runs MeshNodes on the simulator — the same composed nodes, of the same protocol modules, that the libp2p
 * engine runs — one per simulated node, driven by the scheduler, talking through the simulated network,
 * each with its own skewed clock. Crash drops a node's state and everything in flight to it; restart
 * builds a fresh node under the same id (a process that lost its memory).
 *
 * Wake-ups: after every input the host asks the node for `nextDeadline()` (local time), converts it to
 * simulated time and schedules a wake-up only when it is earlier than the one already pending. A wake-up
 * that was superseded by a later one, or by a crash or restart, is ignored (each carries the node's wake
 * number, which those bump), so no cancellation is needed.
 *
 * Wire mode encodes every message once per send with its module's codec and hands every delivered copy
 * to the node as a raw frame, so the run exercises the real codecs and the node's own frame checks;
 * otherwise message objects are passed by reference and sizes are computed for accounting.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'
import type { MeshNode, NodeEvent } from '../../node/index.ts'
import type { MessageCodec, ProtocolId } from '../../protocols/index.ts'
import type { SkewedClock } from './clock.ts'
import type { SimNetwork } from './network.ts'
import type { Scheduler } from './scheduler.ts'

export interface SimHostOptions {
  readonly scheduler: Scheduler
  readonly network: SimNetwork
  readonly ids: readonly NodeId[]
  readonly clocks: readonly SkewedClock[]
  /** Encode and decode every message (slower; exercises the codecs on the real path). */
  readonly wire: boolean
  /** Builds the node for index `index` (called at start and at every restart). */
  readonly create: (index: number, localNow: Millis) => MeshNode
  /** Every event a node emits, with the emitting node's index and the simulated time. */
  readonly onEvent: (index: number, event: NodeEvent, simNow: Millis) => void
}

interface HostedNode {
  node: MeshNode | undefined
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

export class SimHost {
  private readonly options: SimHostOptions
  private readonly nodes: HostedNode[]
  /** Each protocol's codec, taken from the first node that speaks it (modules are the same on every node). */
  private readonly codecs = new Map<ProtocolId, MessageCodec<unknown>>()
  private readonly indexOf = new Map<NodeId, number>()
  private readonly copies: number[] = []
  /** Per-node traffic, for bytes and messages per node per second. */
  readonly traffic: TrafficCounters = { messagesSent: 0, bytesSent: 0, rejectedFrames: 0 }
  /** The same, per protocol (rejected frames are counted in `traffic` only). */
  private readonly trafficOf = new Map<ProtocolId, TrafficCounters>()
  /** Decode failures by reason (wire mode); any entry means a codec bug, since peers here are honest. */
  readonly rejections = new Map<string, number>()
  private readonly rejectedPerNode: number[] = []

  constructor(options: SimHostOptions) {
    this.options = options
    this.nodes = options.ids.map((id, index) => {
      this.indexOf.set(id, index)
      return { node: undefined, wakeAt: Number.POSITIVE_INFINITY, wakeNumber: 0 }
    })
    if (options.ids.length > NODE_SPAN) throw new RangeError(`at most ${NODE_SPAN} nodes`)
  }

  get size(): number {
    return this.nodes.length
  }

  index(id: NodeId): number | undefined {
    return this.indexOf.get(id)
  }

  node(index: number): MeshNode | undefined {
    return this.nodes[index]?.node
  }

  isUp(index: number): boolean {
    return this.nodes[index]?.node !== undefined
  }

  localNow(index: number): Millis {
    return (this.options.clocks[index] as SkewedClock).local(this.options.scheduler.now)
  }

  /** Starts (or restarts) node `index` with a fresh node; `setup` may give it hints (seeds) and the like. */
  start(index: number, setup?: (node: MeshNode, localNow: Millis) => void): void {
    const hosted = this.nodes[index] as HostedNode
    this.supersedeWake(hosted)
    const localNow = this.localNow(index)
    hosted.node = this.options.create(index, localNow)
    setup?.(hosted.node, localNow)
    this.afterInput(index)
  }

  crash(index: number): void {
    const hosted = this.nodes[index] as HostedNode
    hosted.node = undefined
    this.supersedeWake(hosted)
  }

  private supersedeWake(hosted: HostedNode): void {
    hosted.wakeNumber = (hosted.wakeNumber + 1) % WAKE_NUMBERS
    hosted.wakeAt = Number.POSITIVE_INFINITY
  }

  /** Runs `action` against a live node as an input at the current time, then handles its output. */
  poke(index: number, action: (node: MeshNode, localNow: Millis) => void): void {
    const node = this.nodes[index]?.node
    if (node === undefined) return
    action(node, this.localNow(index))
    this.afterInput(index)
  }

  private afterInput(index: number): void {
    const hosted = this.nodes[index] as HostedNode
    const node = hosted.node
    if (node === undefined) return
    const { scheduler, onEvent } = this.options
    const now = scheduler.now
    for (const event of node.takeEvents()) onEvent(index, event, now)
    const outbox = node.takeOutbox()
    for (const { to, protocol, message } of outbox) this.send(node, index, to, protocol, message)
    const deadline = node.nextDeadline()
    if (deadline === undefined) return
    const at = Math.max(now, (this.options.clocks[index] as SkewedClock).toSim(deadline))
    if (at >= hosted.wakeAt && hosted.wakeAt >= now) return
    this.supersedeWake(hosted)
    hosted.wakeAt = at
    // a shared handler and a number rather than a closure per wake-up, which was garbage on every input
    scheduler.atWith(at, this.wake, index + hosted.wakeNumber * NODE_SPAN)
  }

  private readonly wake = (_now: Millis, payload: number): void => {
    const index = payload % NODE_SPAN
    const hosted = this.nodes[index] as HostedNode
    if (hosted.wakeNumber !== (payload - index) / NODE_SPAN || hosted.node === undefined) return
    hosted.wakeAt = Number.POSITIVE_INFINITY
    hosted.node.tick(this.localNow(index))
    this.afterInput(index)
  }

  private codec(node: MeshNode, protocol: ProtocolId): MessageCodec<unknown> | undefined {
    let codec = this.codecs.get(protocol)
    if (codec === undefined) {
      codec = node.module(protocol)?.codec
      if (codec !== undefined) this.codecs.set(protocol, codec)
    }
    return codec
  }

  /** Traffic sent on `protocol` so far (zeros for one nothing was sent on). */
  protocolTraffic(protocol: ProtocolId): TrafficCounters {
    let counters = this.trafficOf.get(protocol)
    if (counters === undefined) {
      counters = { messagesSent: 0, bytesSent: 0, rejectedFrames: 0 }
      this.trafficOf.set(protocol, counters)
    }
    return counters
  }

  private send(node: MeshNode, fromIndex: number, to: NodeId, protocol: ProtocolId, message: unknown): void {
    const toIndex = this.indexOf.get(to)
    const codec = this.codec(node, protocol)
    if (toIndex === undefined || codec === undefined) return
    const { wire, network, scheduler } = this.options
    const bytes = wire ? codec.encode(message) : undefined
    const size = bytes === undefined ? codec.size(message) : bytes.length
    this.traffic.messagesSent++
    this.traffic.bytesSent += size
    const own = this.protocolTraffic(protocol)
    own.messagesSent++
    own.bytesSent += size
    const from = this.options.ids[fromIndex] as NodeId
    const count = network.deliveries(fromIndex, toIndex, this.copies)
    for (let i = 0; i < count; i++) {
      scheduler.afterWith(
        this.copies[i] as number,
        this.deliverSlot,
        this.park(toIndex, from, protocol, message, bytes),
      )
    }
  }

  // Messages in flight wait in parallel arrays and the scheduler carries only their slot number, so a
  // delivery allocates no closure: at 1,000 nodes and more, closure garbage was most of the run's time.
  private readonly parkedTo: number[] = []
  private readonly parkedFrom: NodeId[] = []
  private readonly parkedProtocol: ProtocolId[] = []
  private readonly parkedMessage: unknown[] = []
  private readonly parkedBytes: (Uint8Array | undefined)[] = []
  private readonly freeSlots: number[] = []

  private park(
    toIndex: number,
    from: NodeId,
    protocol: ProtocolId,
    message: unknown,
    bytes: Uint8Array | undefined,
  ): number {
    const slot = this.freeSlots.pop() ?? this.parkedTo.length
    this.parkedTo[slot] = toIndex
    this.parkedFrom[slot] = from
    this.parkedProtocol[slot] = protocol
    this.parkedMessage[slot] = message
    this.parkedBytes[slot] = bytes
    return slot
  }

  private readonly deliverSlot = (_now: Millis, slot: number): void => {
    const toIndex = this.parkedTo[slot] as number
    const from = this.parkedFrom[slot] as NodeId
    const protocol = this.parkedProtocol[slot] as ProtocolId
    const message = this.parkedMessage[slot]
    const bytes = this.parkedBytes[slot]
    this.parkedMessage[slot] = undefined
    this.parkedBytes[slot] = undefined
    this.freeSlots.push(slot)
    this.deliver(toIndex, from, protocol, message, bytes)
  }

  /** Hands raw bytes to a node at once, as if `from` had sent them on `protocol` (hostile-input tests). */
  injectFrame(toIndex: number, from: NodeId, protocol: ProtocolId, bytes: Uint8Array): void {
    const node = this.nodes[toIndex]?.node
    if (node === undefined) return
    const rejection = node.receiveFrame(this.localNow(toIndex), from, protocol, bytes)
    if (rejection !== undefined) this.countRejection(toIndex, rejection)
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

  private deliver(
    toIndex: number,
    from: NodeId,
    protocol: ProtocolId,
    message: unknown,
    bytes: Uint8Array | undefined,
  ): void {
    const node = this.nodes[toIndex]?.node
    if (node === undefined) return
    if (bytes === undefined) {
      node.receive(this.localNow(toIndex), from, protocol, message)
    } else {
      const rejection = node.receiveFrame(this.localNow(toIndex), from, protocol, bytes)
      if (rejection !== undefined) this.countRejection(toIndex, rejection)
    }
    this.afterInput(toIndex)
  }
}
