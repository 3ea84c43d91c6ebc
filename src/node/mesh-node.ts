/**
 * A node as one sans-IO state machine composed of protocol modules (`protocols/module.ts`), the way
 * smoltcp's `Interface::poll` drives every socket of a socket set: one `nextDeadline` (the earliest of
 * its cores'), one outbox tagged by protocol, one event list, and the events of one core delivered to the
 * cores that subscribed to them within the same input.
 *
 * It keeps the core contract's discipline: no clock, no IO, remote input never throws. An engine (the
 * simulator's host, the libp2p driver) feeds it messages or raw frames with the protocol they arrived on,
 * ticks it at its deadline, and moves its outbox; it never needs to know which modules are inside.
 *
 * Composition is checked at construction: protocol ids are unique, and every subscription names a module
 * that is present (and every drive, a module's request to another core, names one too), so a missing dependency is a configuration error when the node is built, not a
 * surprise when the first event would have needed it.
 */
import {
  type ConnectionClass,
  type DecodeErrorReason,
  MeshError,
  type Millis,
  type NodeId,
  type Random,
  RejectionCounter,
  type Signer,
} from '../kernel/index.ts'
import type {
  AnyModule,
  Drive,
  EngineHint,
  JsonObject,
  JsonValue,
  MetricSample,
  ModuleCore,
  ModuleEvent,
  ProtocolId,
  ProtocolModule,
  Subscription,
} from '../protocols/index.ts'

export interface MeshNodeInit {
  readonly self: NodeId
  /** Local time at construction. */
  readonly now: Millis
  /** The node's stream; each module gets `random.fork(module.id)`. */
  readonly random: Random
  readonly signer: Signer
  readonly connectionClass: ConnectionClass
  readonly addresses: readonly string[]
  readonly modules: readonly AnyModule[]
}

export interface Outbound {
  readonly to: NodeId
  readonly protocol: ProtocolId
  readonly message: unknown
}

export interface NodeEvent {
  readonly protocol: ProtocolId
  readonly event: ModuleEvent
}

/** Why a frame was not delivered to a core. */
export type FrameRejection = DecodeErrorReason | 'unknown-protocol'

export interface MeshNodeStats {
  outboxDropped: number
  eventsDropped: number
  /** Times event delivery between cores went on for `MAX_WIRING_ROUNDS` and was resumed at the next input. */
  wiringRoundsExceeded: number
}

const MAX_OUTBOX = 65_536
const MAX_PENDING_EVENTS = 65_536
/** Rounds of core-to-core event delivery within one input; a longer chain is a loop between modules. */
const MAX_WIRING_ROUNDS = 8
const NOTHING_SENT: readonly Outbound[] = Object.freeze([])
const NO_EVENTS: readonly NodeEvent[] = Object.freeze([])

interface Target {
  readonly slot: Slot
  readonly subscription: Subscription<unknown>
}

interface Slot {
  readonly module: AnyModule
  readonly core: ModuleCore<unknown, ModuleEvent>
  /** Subscribers to this slot's events, by event type. */
  readonly subscribers: Map<string, Target[]>
  readonly rejections: RejectionCounter<FrameRejection>
  /** The core's deadline as the last `nextDeadline()` found it (see `deadlinesFresh`). */
  deadline: Millis | undefined
}

export class MeshNode {
  readonly self: NodeId
  private readonly slots: Slot[] = []
  private readonly byProtocol = new Map<ProtocolId, Slot>()
  private outbox: Outbound[] = []
  private events: NodeEvent[] = []
  /**
   * Whether every slot's `deadline` is what its core would answer now: true from a `nextDeadline()` call
   * until the next input or until a core is handed out (`core()`). Engines ask for the deadline after
   * every input and tick at it, so `tick` can take the cores' deadlines from their slots instead of
   * asking every core a second time: in a simulation of thousands of nodes, each ask is a handful of
   * cache misses.
   */
  private deadlinesFresh = false
  private readonly unknownProtocol = new RejectionCounter<FrameRejection>()
  readonly stats: MeshNodeStats = { outboxDropped: 0, eventsDropped: 0, wiringRoundsExceeded: 0 }

  constructor(init: MeshNodeInit) {
    this.self = init.self
    for (const module of init.modules) {
      if (this.byProtocol.has(module.id)) {
        throw new MeshError('INVALID_CONFIG', `two modules use the protocol ${module.id}`, {
          protocol: module.id,
        })
      }
      const core = module.create({
        self: init.self,
        now: init.now,
        random: init.random.fork(module.id),
        signer: init.signer,
        connectionClass: init.connectionClass,
        addresses: init.addresses,
      })
      const slot: Slot = {
        module,
        core,
        subscribers: new Map(),
        rejections: new RejectionCounter(),
        deadline: undefined,
      }
      this.slots.push(slot)
      this.byProtocol.set(module.id, slot)
    }
    for (const slot of this.slots) {
      for (const subscription of (slot.module.subscriptions ?? []) as Subscription<unknown>[]) {
        const source = this.byProtocol.get(subscription.source)
        if (source === undefined) {
          throw new MeshError(
            'INVALID_CONFIG',
            `module ${slot.module.name} needs the events of ${subscription.source}, which this node does not run`,
            { module: slot.module.id, source: subscription.source },
          )
        }
        for (const type of subscription.types) {
          const targets = source.subscribers.get(type) ?? []
          targets.push({ slot, subscription })
          source.subscribers.set(type, targets)
        }
      }
      for (const drive of (slot.module.drives ?? []) as Drive[]) {
        const target = this.byProtocol.get(drive.target)
        if (target === undefined) {
          throw new MeshError(
            'INVALID_CONFIG',
            `module ${slot.module.name} drives ${drive.target}, which this node does not run`,
            { module: slot.module.id, target: drive.target },
          )
        }
        const subscription: Subscription<unknown> = {
          source: slot.module.id,
          types: drive.types,
          deliver: drive.deliver,
        }
        for (const type of drive.types) {
          const targets = slot.subscribers.get(type) ?? []
          targets.push({ slot: target, subscription })
          slot.subscribers.set(type, targets)
        }
      }
    }
    this.settle(init.now)
  }

  /** The protocols this node speaks, in composition order. */
  get protocols(): ProtocolId[] {
    return this.slots.map((slot) => slot.module.id)
  }

  module(protocol: ProtocolId): AnyModule | undefined {
    return this.byProtocol.get(protocol)?.module
  }

  /** The core of `module` in this node, typed by the module descriptor; undefined when not composed. */
  core<C extends ModuleCore<M, E>, M, E extends ModuleEvent>(module: ProtocolModule<C, M, E>): C | undefined {
    // the caller may change the core behind the node's back
    this.deadlinesFresh = false
    return this.byProtocol.get(module.id)?.core as C | undefined
  }

  // ── inputs ────────────────────────────────────────────────────────────────────────────────────────

  /** A decoded message that arrived on `protocol`. Unknown protocols are counted and dropped. */
  receive(now: Millis, from: NodeId, protocol: ProtocolId, message: unknown): void {
    const slot = this.byProtocol.get(protocol)
    if (slot === undefined) {
      this.unknownProtocol.add('unknown-protocol')
      return
    }
    this.deadlinesFresh = false
    slot.core.receive(now, from, message)
    this.settle(now)
  }

  /**
   * A raw frame that arrived on `protocol`: decoded with the module's codec, delivered, or counted by
   * reason and dropped. Returns the reason when it was dropped.
   */
  receiveFrame(
    now: Millis,
    from: NodeId,
    protocol: ProtocolId,
    bytes: Uint8Array,
  ): FrameRejection | undefined {
    const slot = this.byProtocol.get(protocol)
    if (slot === undefined) {
      this.unknownProtocol.add('unknown-protocol')
      return 'unknown-protocol'
    }
    if (bytes.length > slot.module.maxFrameBytes) {
      slot.rejections.add('frame-too-large')
      return 'frame-too-large'
    }
    const decoded = slot.module.codec.decode(bytes)
    if (!decoded.ok) {
      slot.rejections.add(decoded.error)
      return decoded.error
    }
    this.deadlinesFresh = false
    slot.core.receive(now, from, decoded.value)
    this.settle(now)
    return undefined
  }

  tick(now: Millis): void {
    const fresh = this.deadlinesFresh
    this.deadlinesFresh = false
    for (const slot of this.slots) {
      const deadline = fresh ? slot.deadline : slot.core.nextDeadline()
      if (deadline !== undefined && deadline <= now) slot.core.tick(now)
    }
    this.settle(now)
  }

  /** An engine hint (seeds reached, a peer discovered, a connection lost, leaving) for every module. */
  hint(now: Millis, hint: EngineHint): void {
    this.deadlinesFresh = false
    for (const slot of this.slots) slot.module.hint?.(slot.core, now, hint)
    this.settle(now)
  }

  /**
   * A local operation on a module's core (a broadcast, a write) as an input at `now`: what the core then
   * sends or emits, and what that makes other modules do, is collected as after any input. A core changed
   * through `core()` instead keeps its output until the node's next input.
   */
  act<C extends ModuleCore<M, E>, M, E extends ModuleEvent, R>(
    now: Millis,
    module: ProtocolModule<C, M, E>,
    operation: (core: C) => R,
  ): R {
    const slot = this.byProtocol.get(module.id)
    if (slot === undefined) {
      throw new MeshError('INVALID_ARGUMENT', `this node does not run the ${module.name} module`, {
        module: module.id,
      })
    }
    this.deadlinesFresh = false
    const result = operation(slot.core as C)
    this.settle(now)
    return result
  }

  /** The engine refused a frame under a `refuse` delivery policy: the module that sent it is told. */
  refused(now: Millis, to: NodeId, protocol: ProtocolId, message: unknown): void {
    const slot = this.byProtocol.get(protocol)
    if (slot === undefined) return
    this.deadlinesFresh = false
    slot.module.refused?.(slot.core, now, to, message)
    this.settle(now)
  }

  // ── outputs ───────────────────────────────────────────────────────────────────────────────────────

  nextDeadline(): Millis | undefined {
    let earliest: Millis | undefined
    for (const slot of this.slots) {
      const deadline = slot.core.nextDeadline()
      slot.deadline = deadline
      if (deadline !== undefined && (earliest === undefined || deadline < earliest)) earliest = deadline
    }
    this.deadlinesFresh = true
    return earliest
  }

  // An empty take (most inputs) hands out one shared empty list rather than a new one.
  takeOutbox(): readonly Outbound[] {
    const out = this.outbox
    if (out.length === 0) return NOTHING_SENT
    this.outbox = []
    return out
  }

  takeEvents(): readonly NodeEvent[] {
    const out = this.events
    if (out.length === 0) return NO_EVENTS
    this.events = []
    return out
  }

  /** Whether any module deals with `peer` (engines keep links and queues only for such peers). */
  knows(peer: NodeId): boolean {
    for (const slot of this.slots) if (slot.module.knows?.(slot.core, peer) === true) return true
    return false
  }

  /** The most peers any module deals with (membership: its live members); connections needed on top of limits. */
  peerCount(): number {
    let count = 0
    for (const slot of this.slots) count = Math.max(count, slot.module.peerCount?.(slot.core) ?? 0)
    return count
  }

  /** The addresses the first module that knows `peer` has for it (signed by the peer, for membership). */
  addressesOf(peer: NodeId): readonly string[] | undefined {
    for (const slot of this.slots) {
      const addresses = slot.module.addressesOf?.(slot.core, peer)
      if (addresses !== undefined) return addresses
    }
    return undefined
  }

  // ── surface ───────────────────────────────────────────────────────────────────────────────────────

  /** The modules' status fields, and the first condition any module reports. */
  status(): { readonly condition: string | undefined; readonly fields: JsonObject } {
    let condition: string | undefined
    const fields: Record<string, JsonValue> = {}
    for (const slot of this.slots) {
      const surface = slot.module.surface
      if (surface === undefined) continue
      condition ??= surface.condition?.(slot.core)
      if (surface.status !== undefined) Object.assign(fields, surface.status(slot.core))
    }
    return { condition, fields }
  }

  /** The names of the read-only views the modules offer. */
  viewNames(): string[] {
    return this.slots.flatMap((slot) => Object.keys(slot.module.surface?.views ?? {}))
  }

  view(name: string): JsonValue | undefined {
    for (const slot of this.slots) {
      const views = slot.module.surface?.views
      if (views !== undefined && Object.hasOwn(views, name)) return views[name]?.(slot.core)
    }
    return undefined
  }

  metrics(): MetricSample[] {
    return this.slots.flatMap((slot) => [...(slot.module.surface?.metrics?.(slot.core) ?? [])])
  }

  /** An event as the event stream carries it: the module's JSON form, with the module's name. */
  eventJson(event: NodeEvent): JsonObject {
    const module = this.byProtocol.get(event.protocol)?.module
    const json = module?.surface?.eventJson?.(event.event) ?? (event.event as unknown as JsonObject)
    return { ...json, protocol: module?.name ?? event.protocol }
  }

  /** Frames dropped on receipt, by protocol name and reason. */
  rejectedFrames(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const slot of this.slots)
      if (slot.rejections.total > 0) out[slot.module.name] = slot.rejections.toJSON()
    if (this.unknownProtocol.total > 0) out.unknown = this.unknownProtocol.toJSON()
    return out
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Drains every core after an input: events go to the node's list and to the cores that subscribed to
   * them, outboxes to the node's outbox, until no delivery produced more.
   */
  private settle(now: Millis): void {
    for (let round = 0; ; round++) {
      let delivered = false
      for (const slot of this.slots) {
        const events = slot.core.takeEvents()
        for (const event of events) {
          this.emit({ protocol: slot.module.id, event })
          // most cores have no subscribers, and a join emits an event per member learned
          if (slot.subscribers.size === 0) continue
          const targets = slot.subscribers.get(event.type)
          if (targets === undefined) continue
          for (const { slot: target, subscription } of targets) {
            subscription.deliver(target.core, now, event)
            delivered = true
          }
        }
        const outbox = slot.core.takeOutbox()
        for (const { to, message } of outbox) this.send({ to, protocol: slot.module.id, message })
      }
      if (!delivered) return
      if (round + 1 >= MAX_WIRING_ROUNDS) {
        this.stats.wiringRoundsExceeded++
        return
      }
    }
  }

  private send(outbound: Outbound): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      this.stats.outboxDropped++
      return
    }
    this.outbox.push(outbound)
  }

  private emit(event: NodeEvent): void {
    if (this.events.length >= MAX_PENDING_EVENTS) {
      this.stats.eventsDropped++
      return
    }
    this.events.push(event)
  }
}
