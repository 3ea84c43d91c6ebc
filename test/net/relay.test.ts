/**
 * Relayed connections carry Meshwork protocols: two nodes that can reach each other only through a
 * circuit relay (neither listens on anything but its relay reservation) pass realm admission over the
 * limited connection and become members of each other. libp2p refuses protocols on limited connections
 * unless they ask for them, and without this a node behind NAT could never take part.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { membershipOf } from '../../src/engines/contract/index.ts'
import { type Libp2pDriver, startNode } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { until } from './helpers.ts'

const dirs: string[] = []
const nodes: Libp2pDriver[] = []
after(async () => {
  await Promise.allSettled(nodes.map((node) => node.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshwork-relay-'))
  dirs.push(dir)
  return dir
}

it('two nodes reachable only through a relay become members of each other', { timeout: 60_000 }, async () => {
  const relay = await startNode(
    loopbackNodeOptions(dataDir(), { realm: 'relayed', relay: true, listen: ['/ip4/127.0.0.1/tcp/0'] }),
  )
  nodes.push(relay)
  const relayAddress = `${relay.status().addresses[0]}/p2p/${relay.peerId}`.replace(
    /\/p2p\/[^/]+\/p2p\//,
    '/p2p/',
  )
  const behindNat = (seeds: string[]) =>
    loopbackNodeOptions(dataDir(), {
      realm: 'relayed',
      nat: true,
      listen: [`${relayAddress}/p2p-circuit`],
      seeds,
    })
  const a = await startNode(behindNat([]))
  nodes.push(a)
  await until(() => a.status().addresses.some((address) => address.includes('/p2p-circuit')), 20_000)
  assert.ok(
    a.status().addresses.every((address) => address.includes('/p2p-circuit')),
    `a listens on its relay reservation only: ${a.status().addresses.join(' ')}`,
  )
  const circuit = a.status().addresses.find((address) => address.includes('/p2p-circuit')) as string
  const b = await startNode(behindNat([circuit.includes(a.peerId) ? circuit : `${circuit}/p2p/${a.peerId}`]))
  nodes.push(b)
  const member = (node: Libp2pDriver, other: Libp2pDriver) =>
    membershipOf(node.meshNode)?.member(other.peerId)?.state
  await until(() => member(a, b) === 'alive' && member(b, a) === 'alive', 30_000)
  // and they stay members: their probes and acks cross the relay
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  assert.equal(member(a, b), 'alive')
  assert.equal(member(b, a), 'alive')
})
