/**
 * The libp2p engine's side of the engine contract: in-process nodes on loopback TCP and QUIC, each with
 * its own temporary data directory, removed on close. Partitions use the nodes' own fault injection
 * (dropped peers), as `meshwork cluster partition` does.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from 'libp2p'
import type { NodeOptions } from '../../node/index.ts'
import { type ClusterUnderTest, sumRejections } from '../contract/index.ts'
import type { Libp2pDriver } from './driver.ts'
import { createHost, type HostOptions } from './host.ts'
import { startNode } from './start-node.ts'

const POLL_MS = 20

/**
 * Options for a node on loopback with its own data directory: no mDNS, DHT or NAT traversal, fault
 * injection allowed. Tests and the contract suite start from these and override what they test.
 */
export function loopbackNodeOptions(dataDir: string, overrides: Partial<NodeOptions> = {}): NodeOptions {
  return {
    realm: 'loopback',
    seeds: [],
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/udp/0/quic-v1'],
    connectionClass: 'lan',
    labels: [],
    capacity: 1,
    memoryMb: 0,
    region: '',
    hidden: false,
    dataDir,
    mdns: false,
    allowPeers: [],
    allowFaultInjection: true,
    ...overrides,
  }
}

/** A plain libp2p host on loopback TCP with a fresh identity, started (no Meshwork protocols on it). */
export async function startLoopbackHost(overrides: Partial<HostOptions> = {}): Promise<Libp2p> {
  const host = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    allowPeers: [],
    ...overrides,
  })
  await host.start()
  return host
}

export async function startLibp2pCluster(size: number): Promise<ClusterUnderTest> {
  const dirs: string[] = []
  const start = (seeds: string[]): Promise<Libp2pDriver> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-contract-'))
    dirs.push(dataDir)
    return startNode(loopbackNodeOptions(dataDir, { realm: 'contract', seeds }))
  }
  const seed = await start([])
  const seedAddress = seed.status().addresses[0] as string
  const nodes = [seed, ...(await Promise.all(Array.from({ length: size - 1 }, () => start([seedAddress]))))]
  const crashed = new Set<number>()
  const node = (index: number): Libp2pDriver => nodes[index] as Libp2pDriver

  return {
    size,
    virtualTime: false,
    node: (index) => (crashed.has(index) ? undefined : node(index).meshNode),
    peerId: (index) => node(index).peerId,
    rejectedFrames: (index) => sumRejections(node(index).meshNode.rejectedFrames()),
    crash: async (index) => {
      crashed.add(index)
      await node(index).kill()
    },
    partition: async (sides) => {
      for (const side of sides) {
        const others = sides.filter((other) => other !== side).flat()
        for (const index of side) node(index).applyFaults({ dropPeers: others.map((i) => node(i).peerId) })
      }
    },
    heal: async () => {
      for (const [index, each] of nodes.entries())
        if (!crashed.has(index)) each.applyFaults({ dropPeers: [] })
    },
    injectFrame: async (to, from, protocol, bytes) =>
      node(to).injectFrame(protocol, node(from).peerId, bytes),
    waitFor: async (predicate, limitMs) => {
      const end = performance.now() + limitMs
      while (performance.now() < end) {
        if (predicate()) return true
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      return predicate()
    },
    close: async () => {
      await Promise.allSettled(nodes.map((each, index) => (crashed.has(index) ? undefined : each.stop())))
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    },
  }
}
