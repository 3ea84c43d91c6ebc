/**
 * Remote input never throws and never costs a member: on every protocol a node speaks, malformed,
 * truncated, empty and oversized frames are dropped and counted, and the cluster carries on.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ClusterFactory, type ClusterUnderTest, CONTRACT_CLUSTER_SIZE } from './cluster-under-test.ts'
import { everyoneSees } from './membership.ts'

/** Malformed for every versioned frame format: each fails on its version byte or, past it, on its body. */
const MALFORMED = [
  Uint8Array.from([0xff, 9, 9]), // no protocol is at version 255
  Uint8Array.from([1, 0, 0x80]), // version 1 then a varint that never ends; any other version stops earlier
  Uint8Array.from([2, 5, 1, 2, 3]), // a body that does not fit its type, or a version the protocol is not at
  new Uint8Array(0),
]

export function defineHostileFramesCapability(factory: ClusterFactory): void {
  describe('hostile frames', () => {
    let cluster: ClusterUnderTest
    const all = Array.from({ length: CONTRACT_CLUSTER_SIZE }, (_, i) => i)

    before(async () => {
      cluster = await factory(CONTRACT_CLUSTER_SIZE)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 10_000), 'the cluster formed')
    })
    after(async () => {
      await cluster?.close()
    })

    it('drops malformed frames on every protocol, counts them, and keeps its members', async () => {
      const protocols = cluster.node(1)?.protocols ?? []
      assert.ok(protocols.length > 0)
      const before = cluster.rejectedFrames(1)
      for (const protocol of protocols)
        for (const bytes of MALFORMED) await cluster.injectFrame(1, 0, protocol, bytes)
      assert.ok(cluster.rejectedFrames(1) >= before + MALFORMED.length * protocols.length)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('drops a frame larger than its protocol allows', async () => {
      const node = cluster.node(2)
      for (const protocol of node?.protocols ?? []) {
        const before = cluster.rejectedFrames(2)
        const oversized = new Uint8Array((node?.module(protocol)?.maxFrameBytes ?? 0) + 1)
        oversized[0] = 1
        await cluster.injectFrame(2, 0, protocol, oversized)
        assert.ok(cluster.rejectedFrames(2) > before, protocol)
      }
    })

    it('drops frames on a protocol no node speaks', async () => {
      const before = cluster.rejectedFrames(3)
      await cluster.injectFrame(3, 0, '/meshwork/no-such-protocol/1', Uint8Array.from([1, 0]))
      assert.equal(cluster.rejectedFrames(3), before + 1)
    })
  })
}
