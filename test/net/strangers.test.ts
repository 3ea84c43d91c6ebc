/**
 * Strangers do not drive membership: a peer found by mDNS (or one that simply connects) that never passes
 * realm admission does not become a join target, does not reset the node's join, and is not redialled by
 * the protocol. The review found such a peer overwriting the seeds, setting `joined = false`, and being
 * redialled every 500 ms.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { membershipOf } from '../../src/engines/contract/index.ts'
import { type Libp2pDriver, startNode } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { metric } from './helpers.ts'

const dirs: string[] = []
const nodes: Libp2pDriver[] = []
after(async () => {
  await Promise.allSettled(nodes.map((node) => node.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function node(realm: string): Promise<Libp2pDriver> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-strangers-'))
  dirs.push(dataDir)
  const started = await startNode(loopbackNodeOptions(dataDir, { realm, mdns: true }))
  nodes.push(started)
  return started
}

it('keeps a node found by mDNS in another realm out of membership, without redialling it', {
  timeout: 60_000,
}, async () => {
  const tag = `${process.pid}-${Date.now()}`
  const ours = await node(`ours-${tag}`)
  const theirs = await node(`theirs-${tag}`)
  const sawEachOther = async (): Promise<void> => {
    for (let waited = 0; waited < 20_000; waited += 100) {
      if (
        metric(ours, 'meshwork_admission_failures_total') +
          metric(theirs, 'meshwork_admission_failures_total') >
        0
      )
        return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.fail('the two nodes never found each other on the LAN')
  }
  await sawEachOther()
  await new Promise((resolve) => setTimeout(resolve, 5_000))
  for (const [self, stranger] of [
    [ours, theirs],
    [theirs, ours],
  ] as const) {
    const membership = membershipOf(self.meshNode)
    assert.ok(membership !== undefined)
    assert.equal(membership.isJoined, true, 'the stranger did not reset the join')
    assert.equal(membership.member(stranger.peerId), undefined, 'the stranger is no member')
    assert.equal(membership.stats.pushPullsSent, 0, 'no state exchange was attempted with the stranger')
    assert.equal(self.meshNode.knows(stranger.peerId), false)
  }
  // one check per discovery (retried after 30 s at the earliest), not one every 500 ms
  const failures =
    metric(ours, 'meshwork_admission_failures_total') + metric(theirs, 'meshwork_admission_failures_total')
  assert.ok(failures <= 4, `${failures} admission failures in about 5 s`)
})
