/**
 * A protocol module: one sans-IO core plus what a node needs to run it among others — its wire protocol
 * id and codec, what to do when a peer's queue is full, which other modules' events it wants, and what
 * it contributes to the node's status, views, metrics and event stream. `node/mesh-node.ts` composes
 * modules into one `MeshNode`; the engines run a MeshNode without knowing any module.
 *
 * The shape follows smoltcp's socket set (many state machines behind one poll) and libp2p's protocol
 * handlers (one stream protocol per module); the wiring between modules is data declared here and checked
 * when the node is composed, not a service locator that fails when a message first needs a dependency.
 */
import type {
  ConnectionClass,
  DecodeErrorReason,
  Millis,
  NodeId,
  Random,
  Result,
  Signer,
} from '../kernel/index.ts'
import type { Core } from './core.ts'

/** `/meshwork/<name>/<version>`: the libp2p stream protocol a module's messages travel on. */
export type ProtocolId = string

export interface MessageCodec<M> {
  encode(message: M): Uint8Array
  /** Total: malformed input is a reason, never an exception. */
  decode(bytes: Uint8Array): Result<M, DecodeErrorReason>
  /** Encoded size without allocating the bytes (traffic accounting in the simulator). */
  size(message: M): number
}

/**
 * What an engine does when the queue towards one peer is full (the peer reads slowly, or its stream is
 * still opening):
 * - `drop-oldest`: periodic, idempotent traffic (membership probes and gossip): a fresh frame is worth more
 *   than a stale one; the dropped frame is counted.
 * - `refuse`: request/response protocols: the new frame is refused and the core is told, so it can answer
 *   its caller with a typed `overloaded` error instead of a timeout.
 * - `backpressure`: bulk transfers: nothing is dropped; the core is told the link is busy and waits for
 *   the engine to say it drained.
 */
export type DeliveryPolicy =
  | { readonly kind: 'drop-oldest'; readonly maxQueuedFrames: number }
  | { readonly kind: 'refuse'; readonly maxQueuedFrames: number }
  | { readonly kind: 'backpressure'; readonly maxQueuedBytes: number }

/** What the node hands every module's `create`: identity, time, randomness and node-wide settings. */
export interface ModuleContext {
  readonly self: NodeId
  /** Local time at construction. */
  readonly now: Millis
  /** This module's own fork of the node's random stream (forking never shifts another module's draws). */
  readonly random: Random
  readonly signer: Signer
  /** What kind of network the node is on; modules pick their timing presets from it. */
  readonly connectionClass: ConnectionClass
  /** Addresses other nodes can reach this one at (multiaddrs on the real network). */
  readonly addresses: readonly string[]
}

/**
 * Inputs from the engine that are not messages. Modules react to the ones they care about.
 * - `seeds`: seed nodes reached and admitted to the realm; join through them.
 * - `discovered`: an admitted peer found by discovery (mDNS, the DHT); strangers never get here.
 * - `opening`: the transport is opening a link to `peer` (a stream, and a connection if none is open) to
 *   send what was queued for it; whatever waits for an answer from `peer` waits for that first.
 * - `connection-lost`: the transport lost its connection to `peer` for a reason other than our own choice.
 * - `addresses`: the addresses this node can be reached at changed (a relay reservation, a public address).
 * - `leave`: the node is stopping gracefully; say goodbye.
 */
export type EngineHint =
  | { readonly kind: 'seeds'; readonly peers: readonly NodeId[] }
  | { readonly kind: 'discovered'; readonly peer: NodeId }
  | { readonly kind: 'opening'; readonly peer: NodeId }
  | { readonly kind: 'connection-lost'; readonly peer: NodeId }
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] }
  | { readonly kind: 'leave' }

/** Every module event has a type and the local time it happened at. */
export interface ModuleEvent {
  readonly type: string
  readonly at: Millis
}

/** A module's events as a source that other modules may subscribe to, typed by the event union. */
export interface EventSource<E extends ModuleEvent> {
  readonly protocol: ProtocolId
  /** Never set; carries the event type for inference. */
  readonly events?: E
}

/** A typed subscription of core `C` to some event types of another module. */
export interface Subscription<C> {
  readonly source: ProtocolId
  readonly types: readonly string[]
  deliver(core: C, now: Millis, event: ModuleEvent): void
}

export function subscribe<C, E extends ModuleEvent, T extends E['type']>(
  source: EventSource<E>,
  types: readonly T[],
  deliver: (core: C, now: Millis, event: Extract<E, { readonly type: T }>) => void,
): Subscription<C> {
  return {
    source: source.protocol,
    types,
    deliver: (core, now, event) => deliver(core, now, event as Extract<E, { readonly type: T }>),
  }
}

/**
 * A request from this module to another module's core, carried by this module's own events: the
 * dependent module declares it, so the module it drives (broadcast) need not know its users (state,
 * pub/sub). The node delivers each event of `types` that this module's core emits to the core of
 * `target`, within the same input, as it delivers subscriptions.
 */
export interface Drive<E extends ModuleEvent = ModuleEvent> {
  readonly target: ProtocolId
  readonly types: readonly string[]
  deliver(target: unknown, now: Millis, event: E): void
}

/** A typed drive of the core `C` of module `target` by events of type `T` of this module. */
export function drive<C, E extends ModuleEvent, T extends E['type']>(
  target: { readonly id: ProtocolId; create(context: ModuleContext): C },
  types: readonly T[],
  deliver: (core: C, now: Millis, event: Extract<E, { readonly type: T }>) => void,
): Drive<E> {
  return {
    target: target.id,
    types,
    deliver: (core, now, event) => deliver(core as C, now, event as Extract<E, { readonly type: T }>),
  }
}

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }
export type JsonObject = { readonly [key: string]: JsonValue }

/**
 * A metric a module reports, in a form any exporter can render (the daemon renders Prometheus text).
 * Counters are cumulative totals; `observations` are values to add to a histogram at this reading.
 */
export type MetricSample =
  | {
      readonly kind: 'counter' | 'gauge'
      readonly name: string
      readonly help: string
      readonly labels?: Readonly<Record<string, string>>
      readonly value: number
    }
  | {
      readonly kind: 'observations'
      readonly name: string
      readonly help: string
      readonly buckets: readonly number[]
      readonly values: readonly number[]
    }

/** A cumulative counter sample: the kind most module metrics are. */
export function counterSample(name: string, help: string, value: number): MetricSample {
  return { kind: 'counter', name, help, value }
}

/** What a module shows through the control API. Every part is optional. */
export interface ModuleSurface<C, E extends ModuleEvent> {
  /** Fields this module adds to the node's status (`/v1/status`). */
  status?(core: C): JsonObject
  /** A condition that the node reports as its state instead of `running` (membership: `partitioned`). */
  condition?(core: C): string | undefined
  /** Read-only views served at `/v1/<name>` (membership: `members`). */
  readonly views?: Readonly<Record<string, (core: C) => JsonValue>>
  metrics?(core: C): readonly MetricSample[]
  /** The event as it appears on the event stream; the event itself when absent. */
  eventJson?(event: E): JsonObject
}

/** The core contract with the module's own message and event types. */
export type ModuleCore<M, E extends ModuleEvent> = Core<M, M, E>

export interface ProtocolModule<C extends ModuleCore<M, E>, M, E extends ModuleEvent> {
  readonly id: ProtocolId
  /** Short name for status sections, metrics labels and logs, e.g. `membership`. */
  readonly name: string
  readonly codec: MessageCodec<M>
  readonly delivery: DeliveryPolicy
  /** Frames larger than this are refused before decoding. */
  readonly maxFrameBytes: number
  create(context: ModuleContext): C
  /** Engine hints this module acts on. */
  hint?(core: C, now: Millis, hint: EngineHint): void
  /** Whether `peer` is someone this module deals with (a member, a neighbour): engines keep links only to those. */
  knows?(core: C, peer: NodeId): boolean
  /** How many peers this module deals with right now; engines keep that many connections on top of their limit. */
  peerCount?(core: C): number
  /** Addresses `peer` is reachable at, as the peer itself announced them (engines dial only these). */
  addressesOf?(core: C, peer: NodeId): readonly string[] | undefined
  /** The engine refused a frame to `peer` under a `refuse` delivery policy. */
  refused?(core: C, now: Millis, to: NodeId, message: M): void
  readonly subscriptions?: readonly Subscription<C>[]
  /** Other modules' cores this module's events drive (a request to broadcast, say). */
  readonly drives?: readonly Drive<E>[]
  readonly surface?: ModuleSurface<C, E>
}

/** A module of any types, as a node holds them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of modules; each is typed where it is defined
export type AnyModule = ProtocolModule<any, any, any>
