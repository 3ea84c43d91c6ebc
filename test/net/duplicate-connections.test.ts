/**
 * One connection per pair: two hosts that dial each other at the same moment end with the connection
 * dialled by the smaller peer id, on both sides, and a stream opened afterwards uses it.
 */
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import type { Libp2p } from 'libp2p'
import { startLoopbackHost } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { until } from './helpers.ts'

const hosts: Libp2p[] = []
after(async () => {
  await Promise.allSettled(hosts.map((host) => host.stop()))
})

it('closes the duplicate of a simultaneous dial and keeps the one the smaller peer id dialled', {
  timeout: 30_000,
}, async () => {
  const a = await startLoopbackHost()
  const b = await startLoopbackHost()
  hosts.push(a, b)
  await Promise.all([a.dial(b.getMultiaddrs()[0]!), b.dial(a.getMultiaddrs()[0]!)])
  // each side sees its own dial at once and the other's once that one's upgrade completes
  await until(() => a.getConnections(b.peerId).length === 2 && b.getConnections(a.peerId).length === 2, 1_500)
  // the duplicate lives two seconds (host.ts) before the side that dialled it closes it
  await until(
    () => a.getConnections(b.peerId).length === 1 && b.getConnections(a.peerId).length === 1,
    10_000,
  )
  const smaller = a.peerId.toString() < b.peerId.toString() ? a : b
  const larger = smaller === a ? b : a
  assert.equal(smaller.getConnections(larger.peerId)[0]?.direction, 'outbound')
  assert.equal(larger.getConnections(smaller.peerId)[0]?.direction, 'inbound')
  // a later dial reuses it rather than making a third
  await larger.dial(smaller.peerId)
  assert.equal(larger.getConnections(smaller.peerId).length, 1)
})
