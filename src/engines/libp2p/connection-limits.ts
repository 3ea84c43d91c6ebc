/**
 * Keeps libp2p's connection limit from becoming a hidden membership limit. libp2p refuses inbound
 * connections once `maxConnections` are open and prunes the least valuable above it; membership, which
 * probes every member, then sees refused dials and lost connections as failures (a 16-node cluster with
 * a limit of 6 could never be quiet). So the limit applied is the configured one — meant for connections
 * to non-members: DHT servers, relays, newcomers — plus two for every peer the node's modules deal with,
 * and connections to those peers are tagged so that pruning takes the others first. Two, because two
 * members that dial each other at the same moment each keep the connection they opened (libp2p does not
 * merge them): a 16-node cluster settles at about 21 connections per node, not 15.
 *
 * It is a libp2p service, because services are what receive the connection manager and peer store.
 */
import type { PeerId } from '@libp2p/interface'

/** What this service needs of libp2p's components. */
interface LimitComponents {
  readonly connectionManager: { setMaxConnections(limit: number): void; getMaxConnections(): number }
  readonly peerStore: {
    merge(peer: PeerId, data: { tags: Record<string, { value: number } | undefined> }): Promise<unknown>
  }
}

/** Pruning closes the lowest summed tag values first; untagged peers sum to 0. */
const MEMBER_TAG = 'meshwork-member'
const MEMBER_TAG_VALUE = 100
/** Connections a member may hold with us: one each way when both dialled at once. */
const CONNECTIONS_PER_PEER = 2

export class ConnectionLimits {
  private readonly components: LimitComponents
  private readonly baseLimit: number
  private peers = 0
  private readonly tagged = new Set<string>()

  constructor(components: LimitComponents, baseLimit: number) {
    this.components = components
    this.baseLimit = baseLimit
    components.connectionManager.setMaxConnections(baseLimit)
  }

  /** The limit libp2p applies now. */
  get limit(): number {
    return this.components.connectionManager.getMaxConnections()
  }

  /** The node now deals with `count` peers: keep room for all of them on top of the base limit. */
  setPeerCount(count: number): void {
    if (count === this.peers) return
    this.peers = count
    this.components.connectionManager.setMaxConnections(this.baseLimit + CONNECTIONS_PER_PEER * count)
  }

  /** Marks `peer` as one the node deals with, so its connection is the last to be pruned. */
  tag(peer: PeerId): void {
    const id = peer.toString()
    if (this.tagged.has(id)) return
    // bounded by the peers the node deals with plus the base limit; forgotten peers are few and harmless
    if (this.tagged.size > 4 * (this.baseLimit + this.peers)) this.tagged.clear()
    this.tagged.add(id)
    void this.components.peerStore
      .merge(peer, { tags: { [MEMBER_TAG]: { value: MEMBER_TAG_VALUE } } })
      .catch(() => {})
  }
}

export function connectionLimits(baseLimit: number): (components: LimitComponents) => ConnectionLimits {
  return (components) => new ConnectionLimits(components, baseLimit)
}
