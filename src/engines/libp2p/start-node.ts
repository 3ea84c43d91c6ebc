/**
 * Starts a Meshwork node on the real network: the identity from the data directory, a libp2p host, realm
 * admission, the node's modules composed into one `MeshNode`, and the driver that runs it
 * (docs/adr/0009-protocol-modules-and-the-mesh-node.md). Everything protocol-shaped is in the modules;
 * this file only assembles.
 */
import { Random } from '../../kernel/index.ts'
import type { NodeOptions } from '../../node/index.ts'
import { MeshNode, nodeModules } from '../../node/index.ts'
import { Admission, realmKey } from './admission.ts'
import { Libp2pDriver } from './driver.ts'
import { Ed25519Signer } from './ed25519-signer.ts'
import { createHost } from './host.ts'
import { loadOrCreateIdentity } from './identity/index.ts'

/** A connection that has not proved the realm key within this time is closed. */
const ADMISSION_TIMEOUT_MS = 5_000
/** libp2p's own default: connections to non-members (DHT servers, relays, newcomers). */
export const DEFAULT_MAX_CONNECTIONS = 300

export async function startNode(options: NodeOptions): Promise<Libp2pDriver> {
  const privateKey = await loadOrCreateIdentity(options.dataDir)
  const host = await createHost({
    privateKey,
    listen: options.listen,
    mdns: options.mdns,
    dht: options.dht ?? false,
    dhtServer: options.dhtServer ?? false,
    nat: options.nat ?? false,
    relay: options.relay ?? false,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    allowPeers: options.allowPeers,
  })
  await host.start()
  const peerId = host.peerId.toString()
  const key = realmKey(options.realm, options.realmKey)
  let driver: Libp2pDriver | undefined
  const admission = new Admission(host, key, ADMISSION_TIMEOUT_MS, {
    onFailure: (peer, direction, why) => driver?.admissionFailed(peer, direction, why),
  })
  await admission.start()
  const node = new MeshNode({
    self: peerId,
    now: performance.now(),
    random: new Random(`${peerId}/${Date.now()}`),
    signer: new Ed25519Signer(privateKey),
    connectionClass: options.connectionClass,
    addresses: host
      .getMultiaddrs()
      .map((address) => address.toString())
      .slice(0, 16),
    modules: nodeModules(options),
  })
  driver = new Libp2pDriver(host, node, {
    realm: options.realm,
    realmKey: key,
    seeds: options.seeds,
    dht: options.dht ?? false,
    allowFaultInjection: options.allowFaultInjection,
    admission,
    limits: host.services.limits,
    ...(options.log === undefined ? {} : { log: options.log }),
  })
  await driver.start()
  return driver
}
