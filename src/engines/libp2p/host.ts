/**
 * The libp2p host a Meshwork node runs on: TCP (Noise + Yamux) and QUIC listeners, mDNS discovery, the
 * Kademlia DHT and NAT traversal (AutoNAT, circuit relay v2, DCUtR) when asked, and a connection gater for
 * the optional allow-list. This file and its siblings are the only code that imports libp2p
 * (docs/adr/0002-libp2p-as-network-engine.md).
 *
 * Limits follow js-libp2p's defaults unless Meshwork needs otherwise: membership keeps one stream per
 * peer and probes every 100 ms on LAN, so libp2p's own 10-second connection monitor is redundant.
 *
 * Only the services in use are loaded, because ten node processes of a local cluster start at once on a
 * couple of cores: Meshwork's own protocols need neither identify nor ping (member records carry the
 * addresses, and membership probes are the liveness check), so identify comes only with the DHT and NAT
 * traversal, which learn addresses and protocols through it, and ping only with the DHT, which checks
 * its routing table with it.
 */

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { PrivateKey } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { batchYamuxWindowUpdates, coalesceSocketWrites } from './coalesce-writes.ts'
import { type ConnectionLimits, connectionLimits } from './connection-limits.ts'
import { fastEmptyLengthPrefix } from './length-prefix-fast-path.ts'

/** The services every Meshwork host has, whatever it was asked to load besides. */
export interface HostServices {
  readonly limits: ConnectionLimits
  readonly [service: string]: unknown
}

/**
 * Inbound connections accepted per second from one IP address. libp2p's 5 suits a public node; a LAN or
 * a loopback cluster connects many members from one address at once (16 processes on one machine open
 * 15 connections each within a second), and refusing them looks like failures to membership.
 */
const INBOUND_CONNECTIONS_PER_HOST_PER_SECOND = 100
/**
 * Inbound connections in their handshake at once (libp2p: 10). A member that joins is dialled by every
 * other member within a second or two; refusing most of them costs probes, not attackers' effort.
 */
const MAX_PENDING_INBOUND_CONNECTIONS = 32

export interface HostOptions {
  readonly privateKey: PrivateKey
  readonly listen: readonly string[]
  readonly mdns: boolean
  /** Run the Kademlia DHT; `dhtServer` serves it even without a public address. */
  readonly dht?: boolean
  readonly dhtServer?: boolean
  /** AutoNAT, the circuit relay v2 transport and DCUtR, for nodes behind NAT. */
  readonly nat?: boolean
  /** Serve as a circuit relay (v2) for others. */
  readonly relay?: boolean
  /** Connections to non-members; members' connections come on top (`connection-limits.ts`). @default 300 */
  readonly maxConnections?: number
  /** Peer ids allowed to connect; empty allows everyone. */
  readonly allowPeers: readonly string[]
}

export async function createHost(options: HostOptions): Promise<Libp2p<HostServices>> {
  const allowed = new Set(options.allowPeers)
  const denied = (peer: { toString(): string }): boolean => allowed.size > 0 && !allowed.has(peer.toString())
  // optional services are loaded only when switched on: together they cost ~15 MB of resident code
  const discovery = options.mdns ? [(await import('@libp2p/mdns')).mdns()] : []
  const dht = options.dht === true ? await dhtService(options.dhtServer === true) : {}
  const nat = options.nat === true ? await natServices() : undefined
  const relay = options.relay === true ? await relayService() : {}
  // the relay transport (with NAT traversal) and the relay server need identify, as does the DHT
  const identify =
    options.dht === true || nat !== undefined || options.relay === true ? await identifyService() : {}
  // QUIC's transport (a native library and its bindings) loads only when the node listens on QUIC
  const transports = [
    tcp(),
    ...(options.listen.some(isQuic) ? [(await import('@chainsafe/libp2p-quic')).quic()] : []),
  ]
  batchYamuxWindowUpdates()
  fastEmptyLengthPrefix()
  const host = await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [...options.listen] },
    transports: nat === undefined ? transports : [...transports, nat.relayTransport],
    connectionManager: {
      maxConnections: options.maxConnections ?? 300,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_HOST_PER_SECOND,
      maxIncomingPendingConnections: MAX_PENDING_INBOUND_CONNECTIONS,
    },
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: async (peer) => denied(peer),
      denyInboundEncryptedConnection: async (peer) => denied(peer),
      denyOutboundEncryptedConnection: async (peer) => denied(peer),
      // loopback clusters are the point of `meshwork cluster`; libp2p refuses private addresses otherwise
      denyDialMultiaddr: async () => false,
    },
    connectionMonitor: { enabled: false },
    peerDiscovery: discovery,
    services: {
      ...identify,
      limits: connectionLimits(options.maxConnections ?? 300),
      ...dht,
      ...(nat?.services ?? {}),
      ...relay,
    },
  })
  coalesceSocketWrites(host)
  return host
}

/** Whether a listen address is QUIC (`/udp/<port>/quic-v1`). */
function isQuic(address: string): boolean {
  return /\/quic(-v1)?(\/|$)/.test(address)
}

async function identifyService() {
  const { identify } = await import('@libp2p/identify')
  return { identify: identify() }
}

async function dhtService(server: boolean) {
  const [{ kadDHT, passthroughMapper }, { ping }] = await Promise.all([
    import('@libp2p/kad-dht'),
    import('@libp2p/ping'),
  ])
  // on a private network (server) private addresses are the useful ones; the public DHT drops them
  return { ping: ping(), dht: kadDHT(server ? { clientMode: false, peerInfoMapper: passthroughMapper } : {}) }
}

/**
 * A relay for realm members behind NAT. libp2p's default limits (2 minutes or 128 KiB per relayed
 * connection) suit a public relay that only bridges until hole punching succeeds; membership sends a few
 * kB/s for as long as a member lives, so a Meshwork relay allows more: ten minutes and 16 MiB, after which
 * the connection is redialled (through the relay again, or directly once DCUtR has punched a hole).
 */
const RELAYED_CONNECTION_MS = 600_000
const RELAYED_CONNECTION_BYTES = 16n * 1024n * 1024n
const MAX_RELAY_RESERVATIONS = 128

async function relayService() {
  const { circuitRelayServer } = await import('@libp2p/circuit-relay-v2')
  return {
    relay: circuitRelayServer({
      reservations: {
        maxReservations: MAX_RELAY_RESERVATIONS,
        defaultDurationLimit: RELAYED_CONNECTION_MS,
        defaultDataLimit: RELAYED_CONNECTION_BYTES,
      },
    }),
  }
}

async function natServices() {
  const [{ autoNAT }, { circuitRelayTransport }, { dcutr }] = await Promise.all([
    import('@libp2p/autonat'),
    import('@libp2p/circuit-relay-v2'),
    import('@libp2p/dcutr'),
  ])
  return { relayTransport: circuitRelayTransport(), services: { autoNAT: autoNAT(), dcutr: dcutr() } }
}
