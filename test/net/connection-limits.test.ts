/**
 * Connections are not a hidden membership limit: with libp2p's connection limit at 6 and 16 members,
 * every member still reaches every other (members' connections come on top of the limit and are tagged
 * so that pruning takes others first), and over two minutes nobody is declared failed. Before, libp2p
 * refused inbound connections past the limit and pruned the rest, and membership took each refused dial
 * and lost connection for a failure.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { type Libp2pDriver, startNode } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { alive, metric, until } from './helpers.ts'

const SIZE = 16
const LIMIT = 6
const QUIET_MS = 120_000
const dirs: string[] = []
const nodes: Libp2pDriver[] = []
after(async () => {
  await Promise.allSettled(nodes.map((node) => node.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function options(seeds: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-limits-'))
  dirs.push(dataDir)
  return loopbackNodeOptions(dataDir, {
    realm: 'limits',
    // WAN timings (probe every second, suspicion of seconds): the property is about connections, and a
    // loaded test machine stalls sixteen nodes in one process for longer than LAN timeouts allow
    connectionClass: 'wan',
    seeds,
    maxConnections: LIMIT,
    listen: ['/ip4/127.0.0.1/tcp/0'],
  })
}

it(`${SIZE} members with a connection limit of ${LIMIT} see each other and declare nobody failed for two minutes`, {
  timeout: QUIET_MS + 120_000,
}, async () => {
  const seed = await startNode(options([]))
  nodes.push(seed)
  const address = seed.status().addresses[0] as string
  // one after another, as nodes of a deployment come up, rather than fifteen handshake storms at once
  for (let i = 1; i < SIZE; i++) nodes.push(await startNode(options([address])))
  const failures: string[] = []
  for (const node of nodes) {
    node.subscribe((event) => {
      if (event.type === 'MemberFailed') failures.push(`${node.peerId} failed ${String(event.id)}`)
    })
  }
  await until(() => nodes.every((node) => alive(node) === SIZE - 1), 60_000)
  const connections = (node: Libp2pDriver): number => metric(node, 'meshwork_connection_limit')
  assert.ok(
    nodes.every((node) => connections(node) >= LIMIT + 2 * (SIZE - 1)),
    'the limit grew with the members',
  )
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
  assert.deepEqual(failures, [])
  assert.ok(nodes.every((node) => alive(node) === SIZE - 1))
})
