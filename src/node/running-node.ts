/**
 * What the daemon, the control API and the CLI need from a running node, whatever engine runs it. The
 * libp2p engine implements it for real deployments; tests implement it with fakes.
 */
import type { ConnectionClass } from '../kernel/index.ts'
import type { MemberProfile, MemberState, MembershipEvent } from '../protocols/membership/index.ts'
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
  /** Peer ids allowed to connect; empty means everyone who passes realm admission. */
  readonly allowPeers: readonly string[]
  /** Accept fault injection through the control API (drop traffic, shape links). */
  readonly allowFaultInjection: boolean
}

export type NodeState = 'running' | 'partitioned' | 'stopping'

export interface NodeStatus {
  readonly peerId: string
  readonly realm: string
  readonly state: NodeState
  readonly members: {
    readonly alive: number
    readonly suspect: number
    readonly failed: number
    readonly left: number
  }
  readonly addresses: readonly string[]
  readonly incarnation: number
  readonly localHealth: number
  readonly uptimeMs: number
  readonly version: string
}

export interface MemberView {
  readonly peerId: string
  readonly state: MemberState
  readonly incarnation: number
  readonly addresses: readonly string[]
  readonly profile: MemberProfile
  /** Smoothed probe round trip, when measured. */
  readonly rttMs?: number
}

export interface MembersView {
  readonly self: string
  readonly members: readonly MemberView[]
}

/** Counters and gauges for `/metrics`; names follow Prometheus conventions in the daemon. */
export interface NodeMetrics {
  readonly messagesIn: number
  readonly messagesOut: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** Frames dropped on receipt, by reason (decode failure reasons, 'oversized', 'admission', …). */
  readonly rejectedFrames: Readonly<Record<string, number>>
  /** Smoothed probe round trip to each measured member, in ms. */
  readonly probeRoundTripsMs: readonly number[]
  readonly admissionFailures: number
  readonly peersDisconnected: number
}

/** Drop traffic to and from peers (a partition), or shape links. Refused unless fault injection is allowed. */
export interface FaultSpec {
  /** Peers whose traffic is dropped both ways; replaces the previous set. Empty heals. */
  readonly dropPeers?: readonly string[]
  /** Link shaping applied to every peer (or to `peers` only). */
  readonly link?: LinkShape
}

export interface RunningNode {
  readonly peerId: string
  status(): NodeStatus
  members(): MembersView
  /** Membership events as they happen; returns the function that unsubscribes. */
  subscribe(listener: (event: MembershipEvent) => void): () => void
  metrics(): NodeMetrics
  /** Throws MeshError('UNAVAILABLE') when fault injection was not allowed at start. */
  applyFaults(faults: FaultSpec): void
  /** Announces a graceful leave, flushes it, and stops the network. */
  stop(): Promise<void>
}
