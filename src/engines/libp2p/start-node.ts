/**
 * Starts a Meshwork node on the real network: the identity from the data directory, a libp2p host, realm
 * admission, the node's modules composed into one `MeshNode`, and the driver that runs it
 * (docs/adr/0009-protocol-modules-and-the-mesh-node.md). Everything protocol-shaped is in the modules;
 * this file only assembles.
 */
import { join } from 'node:path'
import { Random } from '../../kernel/index.ts'
import type { NodeOptions } from '../../node/index.ts'
import { MeshNode, nodeModules, ReplicatedState, STATE_MODULE } from '../../node/index.ts'
import { StateStore } from '../../storage/index.ts'
import { Admission, realmKey } from './admission.ts'
import { Libp2pDriver } from './driver.ts'
import { Ed25519Signer } from './ed25519-signer.ts'
import { createHost } from './host.ts'
import { loadOrCreateIdentity } from './identity/index.ts'

/** The replicated state's database in the data directory. */
export const STATE_DATABASE = 'state.db'
/** A connection that has not proved the realm key within this time is closed. */
const ADMISSION_TIMEOUT_MS = 5_000
/** libp2p's own default: connections to non-members (DHT servers, relays, newcomers). */
export const DEFAULT_MAX_CONNECTIONS = 300

export async function startNode(options: NodeOptions): Promise<Libp2pDriver> {
  const privateKey = await loadOrCreateIdentity(options.dataDir)
  // before the network: a corrupted state database stops the start with a clear error
  const store = StateStore.open(join(options.dataDir, STATE_DATABASE))
  try {
    return await startWithStore(options, privateKey, store)
  } catch (error) {
    store.close()
    throw error
  }
}

async function startWithStore(
  options: NodeOptions,
  privateKey: Awaited<ReturnType<typeof loadOrCreateIdentity>>,
  store: StateStore,
): Promise<Libp2pDriver> {
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
    // the driver's time base: wall-clock milliseconds (driver.ts, now())
    now: performance.timeOrigin + performance.now(),
    random: new Random(`${peerId}/${Date.now()}`),
    signer: new Ed25519Signer(privateKey),
    connectionClass: options.connectionClass,
    addresses: host
      .getMultiaddrs()
      .map((address) => address.toString())
      .slice(0, 16),
    // a new epoch at every start: replicated state's actors must be unique per incarnation
    modules: nodeModules({ ...options, epoch: Date.now() }),
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
  const started = driver
  driver.attachState(
    new ReplicatedState(
      {
        act: (operation) => started.act(STATE_MODULE, operation),
        onChange: (listener) =>
          started.subscribe((event) => {
            if (event.protocol === 'state' && event.type === 'ObjectChanged') listener(String(event.name))
          }),
      },
      store,
    ),
    store,
  )
  return driver
}
