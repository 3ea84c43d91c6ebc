/**
 * Membership over real libp2p connections on loopback, in one process: five nodes join through a seed,
 * a node that stops is marked failed or left by every other, and every node is stopped afterwards.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Libp2pDriver } from '../../src/engines/libp2p/index.ts'
import { loadOrCreateIdentity, startNode } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions, startLoopbackHost } from '../../src/engines/libp2p/libp2p-cluster.ts'
import type { NodeOptions } from '../../src/node/index.ts'
import { alive, members, metric, until } from './helpers.ts'

const dirs: string[] = []
const nodes: Libp2pDriver[] = []

function options(seeds: string[]): NodeOptions {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-test-'))
  dirs.push(dataDir)
  return loopbackNodeOptions(dataDir, {
    realm: 'test',
    seeds,
    labels: ['test'],
    capacity: 2,
    region: 'loopback',
  })
}

after(async () => {
  await Promise.allSettled(nodes.map((node) => node.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('membership over libp2p on loopback', { timeout: 60_000 }, () => {
  it('five nodes join through one seed and then all see each other alive', async () => {
    const seed = await startNode(options([]))
    nodes.push(seed)
    const seedAddress = seed.status().addresses.find((address) => address.includes('/tcp/'))
    assert.ok(seedAddress !== undefined)
    nodes.push(...(await Promise.all([1, 2, 3, 4].map(() => startNode(options([seedAddress]))))))
    await until(() => nodes.every((node) => alive(node) === 4), 10_000)
    const view = members(nodes[0] as Libp2pDriver)
    assert.equal(view.length, 4)
    assert.ok(view.every((member) => member.profile.labels.includes('test')))
  })

  it('a node that stops is marked gone by every other node', async () => {
    const leaver = nodes.pop() as Libp2pDriver
    await leaver.stop()
    await until(
      () =>
        nodes.every((node) => {
          const state = members(node).find((member) => member.peerId === leaver.peerId)?.state
          return state === 'left' || state === 'failed'
        }),
      5_000,
    )
    // the others stay (or, after a transient suspicion on a loaded machine, come back to) alive
    await until(() => nodes.every((node) => alive(node) === 3), 5_000)
  })

  it('keeps the peer id of a node restarted on the same data directory', async () => {
    const opts = options([])
    const first = await startNode(opts)
    const id = first.peerId
    await first.stop()
    const second = await startNode(opts)
    nodes.push(second)
    assert.equal(second.peerId, id)
  })

  it('admits a node with the realm key and keeps out one with the wrong key, counting the failure', async () => {
    const key = new Uint8Array(32).fill(7)
    const wrong = new Uint8Array(32).fill(8)
    const seed = await startNode({ ...options([]), realm: 'private', realmKey: key })
    nodes.push(seed)
    const address = seed.status().addresses.find((text) => text.includes('/quic-v1'))
    assert.ok(address !== undefined, 'QUIC, which pnet would not cover, is the transport under test')
    const friend = await startNode({ ...options([address]), realm: 'private', realmKey: key })
    const stranger = await startNode({ ...options([address]), realm: 'private', realmKey: wrong })
    nodes.push(friend, stranger)
    await until(() => alive(friend) === 1, 10_000)
    await until(
      () =>
        metric(seed, 'meshwork_admission_failures_total') +
          metric(stranger, 'meshwork_admission_failures_total') >
        0,
      10_000,
    )
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.equal(alive(stranger), 0, 'the stranger learned no member')
    assert.ok(members(seed).every((member) => member.peerId !== stranger.peerId))
  })

  it('refuses connections from peers outside the allow-list', async () => {
    // the insider's identity exists before the guarded node starts, so it can be allowed by peer id
    const insiderOptions = options([])
    const insiderId = peerIdFromPrivateKey(await loadOrCreateIdentity(insiderOptions.dataDir)).toString()
    const guarded = await startNode({ ...options([]), allowPeers: [insiderId] })
    nodes.push(guarded)
    const address = guarded.status().addresses[0] as string
    const insider = await startNode({ ...insiderOptions, seeds: [address] })
    const outsider = await startNode(options([address]))
    nodes.push(insider, outsider)
    await until(() => alive(insider) === 1, 10_000)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.equal(alive(outsider), 0, 'the outsider never got in')
    assert.ok(members(guarded).every((member) => member.peerId !== outsider.peerId))
  })

  it('keeps realms apart even without keys', async () => {
    const seed = await startNode({ ...options([]), realm: 'blue' })
    nodes.push(seed)
    const address = seed.status().addresses[0] as string
    const other = await startNode({ ...options([address]), realm: 'green' })
    nodes.push(other)
    await until(
      () =>
        metric(seed, 'meshwork_admission_failures_total') +
          metric(other, 'meshwork_admission_failures_total') >
        0,
      10_000,
    )
    assert.equal(alive(other), 0)
  })

  it('a dropPeers fault partitions two nodes, and clearing it heals them', async () => {
    const a = await startNode(options([]))
    nodes.push(a)
    const b = await startNode(options([a.status().addresses[0] as string]))
    nodes.push(b)
    await until(() => alive(a) === 1 && alive(b) === 1, 10_000)
    a.applyFaults({ dropPeers: [b.peerId] })
    b.applyFaults({ dropPeers: [a.peerId] })
    await until(() => alive(a) === 0 && alive(b) === 0, 5_000)
    a.applyFaults({ dropPeers: [] })
    b.applyFaults({ dropPeers: [] })
    await until(() => alive(a) === 1 && alive(b) === 1, 10_000)
  })

  it('a shaped link delays probes by its configured latency', async () => {
    const a = await startNode(options([]))
    nodes.push(a)
    const b = await startNode(options([a.status().addresses[0] as string]))
    nodes.push(b)
    await until(() => alive(a) === 1, 10_000)
    const shape = { minDelayMs: 40, maxDelayMs: 40, jitterMs: 0, lossRate: 0, bandwidthBytesPerSecond: 0 }
    a.applyFaults({ link: shape })
    b.applyFaults({ link: shape })
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const rtt = members(a)[0]?.rttMs ?? 0
    assert.ok(rtt > 60, `round trip ${rtt} ms should include 2 × 40 ms of shaped delay`)
    assert.throws(() => a.applyFaults({ link: { ...shape, lossRate: 3 } }), /lossRate/)
  })

  it('refuses fault injection unless it was allowed at start', async () => {
    const node = await startNode({ ...options([]), allowFaultInjection: false })
    nodes.push(node)
    assert.throws(() => node.applyFaults({ dropPeers: [] }), /--allow-fault-injection/)
  })
})

describe('discovery on the local network', { timeout: 60_000 }, () => {
  it('two nodes with mDNS and no seeds find each other and join', async () => {
    const realm = `mdns-${process.pid}-${Date.now()}`
    const a = await startNode({ ...options([]), realm, mdns: true })
    const b = await startNode({ ...options([]), realm, mdns: true })
    nodes.push(a, b)
    await until(() => alive(a) === 1 && alive(b) === 1, 30_000)
  })
})

describe('discovery across networks', { timeout: 90_000 }, () => {
  it('two nodes that share only a DHT server (not a realm member) find each other through the realm record', async () => {
    const dhtServer = await startLoopbackHost({ dht: true, dhtServer: true })
    try {
      const bootstrap = dhtServer.getMultiaddrs()[0]?.toString() as string
      const realm = `dht-${process.pid}`
      const a = await startNode({ ...options([bootstrap]), realm, dht: true, dhtServer: true })
      const b = await startNode({ ...options([bootstrap]), realm, dht: true, dhtServer: true })
      nodes.push(a, b)
      await until(() => alive(a) === 1 && alive(b) === 1, 60_000)
    } finally {
      await dhtServer.stop()
    }
  })
})
