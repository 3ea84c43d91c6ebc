/**
 * What the daemon needs from a running node, whatever engine runs it: its status, the views and metrics
 * its modules contribute, its events, fault injection and a graceful stop. The libp2p engine implements
 * it for real deployments; tests implement it with fakes. Nothing here is shaped by one protocol: status
 * fields, views (`members`), metrics and events come from the modules a node is composed of
 * (`protocols/module.ts`), so a new module shows up without an edit here.
 */
import type { ConnectionClass } from '../kernel/index.ts'
import type { JsonObject, JsonValue, MetricSample } from '../protocols/index.ts'
import type { StateOp } from '../protocols/replication/index.ts'
import type { LinkShape } from './link-models.ts'

export interface NodeOptions {
  /** Realm name: namespaces the protocols and discovery; nodes of different realms never talk. */
  readonly realm: string
  /** A pre-shared key (32 bytes) that makes the realm private; every connection must prove it. */
  readonly realmKey?: Uint8Array
  /** Multiaddrs of nodes to join through. */
  readonly seeds: readonly string[]
  /** Multiaddrs to listen on (TCP and QUIC). */
  readonly listen: readonly string[]
  /** What kind of network the node is on; sets the membership timings. */
  readonly connectionClass: ConnectionClass
  readonly labels: readonly string[]
  readonly capacity: number
  readonly memoryMb: number
  readonly region: string
  readonly hidden: boolean
  /** Holds the node's identity key and state. */
  readonly dataDir: string
  /** Discover peers on the local network with mDNS. */
  readonly mdns: boolean
  /**
   * Find members across networks through a provider record for the realm in the Kademlia DHT.
   * @default false (the daemon turns it on unless `--no-dht`)
   */
  readonly dht?: boolean
  /**
   * Serve the DHT even without a public address, and keep private addresses in its records (private
   * networks, loopback tests). @default false
   */
  readonly dhtServer?: boolean
  /**
   * Work behind NAT: AutoNAT, circuit relay v2 transport and DCUtR hole punching.
   * @default false (the daemon turns it on unless `--no-nat`)
   */
  readonly nat?: boolean
  /** Serve as a circuit relay for other realm members (a node with a public address). @default false */
  readonly relay?: boolean
  /**
   * Connections kept to peers that are not members (DHT servers, relays, newcomers). Members' own
   * connections come on top: a member is never refused or pruned because of this limit. @default 300
   */
  readonly maxConnections?: number
  /** Peer ids allowed to connect; empty means everyone who passes realm admission. */
  readonly allowPeers: readonly string[]
  /** Accept fault injection through the control API (drop traffic, shape links). */
  readonly allowFaultInjection: boolean
  /** Where the engine reports what an operator should know (admission failures, dial trouble). */
  readonly log?: NodeLog
}

/** The subset of a pino logger an engine writes to. */
export interface NodeLog {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** `running`, `stopping`, or the condition a module reports (membership: `partitioned`). */
export type NodeState = string

/** The engine's own status fields; every module adds its own (membership: members, incarnation, …). */
export interface BaseNodeStatus {
  readonly peerId: string
  readonly realm: string
  readonly state: NodeState
  readonly addresses: readonly string[]
  readonly uptimeMs: number
  readonly version: string
}

export type NodeStatus = BaseNodeStatus & { readonly [field: string]: JsonValue }

/** Drop traffic to and from peers (a partition), or shape links. Refused unless fault injection is allowed. */
export interface FaultSpec {
  /** Peers whose traffic is dropped both ways; replaces the previous set. Empty heals. */
  readonly dropPeers?: readonly string[]
  /** Link shaping applied to every peer (or to `peers` only). */
  readonly link?: LinkShape
}

/** Replicated state as the control API uses it (`node/replicated-state.ts` implements it). */
export interface StateService {
  /** Idempotent; a different type or capacity than the object has throws MeshError('INVALID_ARGUMENT'). */
  create(
    name: string,
    spec: { readonly type: 'set' | 'topN' | 'map' | 'counter'; readonly capacity?: number },
  ): void
  /** Returns once the write is durable; MeshError NOT_FOUND or INVALID_ARGUMENT for bad input. */
  apply(name: string, op: StateOp): void
  read(
    name: string,
  ): { readonly type: string; readonly fingerprint: string; readonly value: JsonValue } | undefined
}

export interface RunningNode {
  readonly peerId: string
  status(): NodeStatus
  /** A read-only view a module offers (`members`), or undefined when no module offers it. */
  view(name: string): JsonValue | undefined
  /** Node events as JSON, each carrying its module's name in `protocol`; returns the unsubscribe. */
  subscribe(listener: (event: JsonObject) => void): () => void
  /** The engine's transport metrics and every module's, as cumulative samples. */
  metrics(): readonly MetricSample[]
  /** Throws MeshError('UNAVAILABLE') when fault injection was not allowed at start. */
  applyFaults(faults: FaultSpec): void
  /** The node's replicated state; undefined (or absent) when it keeps none. */
  replicatedState?(): StateService | undefined
  /** Announces a graceful leave, flushes it, and stops the network. */
  stop(): Promise<void>
}
