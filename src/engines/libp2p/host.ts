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
import { quic } from '@chainsafe/libp2p-quic'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { PrivateKey } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { batchYamuxWindowUpdates, coalesceSocketWrites } from './coalesce-writes.ts'

export interface HostOptions {
  readonly privateKey: PrivateKey
  readonly listen: readonly string[]
  readonly mdns: boolean
  /** Run the Kademlia DHT; `dhtServer` serves it even without a public address. */
  readonly dht?: boolean
  readonly dhtServer?: boolean
  /** AutoNAT, the circuit relay v2 transport and DCUtR, for nodes behind NAT. */
  readonly nat?: boolean
  /** Peer ids allowed to connect; empty allows everyone. */
  readonly allowPeers: readonly string[]
}

export async function createHost(options: HostOptions): Promise<Libp2p> {
  const allowed = new Set(options.allowPeers)
  const denied = (peer: { toString(): string }): boolean => allowed.size > 0 && !allowed.has(peer.toString())
  // optional services are loaded only when switched on: together they cost ~15 MB of resident code
  const discovery = options.mdns ? [(await import('@libp2p/mdns')).mdns()] : []
  const dht = options.dht === true ? await dhtService(options.dhtServer === true) : {}
  const nat = options.nat === true ? await natServices() : undefined
  const identify = options.dht === true || nat !== undefined ? await identifyService() : {}
  batchYamuxWindowUpdates()
  const host = await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [...options.listen] },
    transports: nat === undefined ? [tcp(), quic()] : [tcp(), quic(), nat.relayTransport],
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
    services: { ...identify, ...dht, ...(nat?.services ?? {}) },
  })
  coalesceSocketWrites(host)
  return host
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

async function natServices() {
  const [{ autoNAT }, { circuitRelayTransport }, { dcutr }] = await Promise.all([
    import('@libp2p/autonat'),
    import('@libp2p/circuit-relay-v2'),
    import('@libp2p/dcutr'),
  ])
  return { relayTransport: circuitRelayTransport(), services: { autoNAT: autoNAT(), dcutr: dcutr() } }
}
