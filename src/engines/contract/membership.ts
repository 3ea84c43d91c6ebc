/**
 * The membership capability: nodes joined through one seed see each other, a quiet cluster stays quiet,
 * a flood of stale frames changes nothing, a 2|3 cut is reported on both sides and heals into one view,
 * and a crashed node is marked failed by everyone else.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { MeshNode } from '../../node/index.ts'
import {
  encodeMessage,
  MEMBERSHIP_PROTOCOL,
  type MemberState,
  type Membership,
  membershipModule,
} from '../../protocols/membership/index.ts'
import { type ClusterFactory, type ClusterUnderTest, CONTRACT_CLUSTER_SIZE } from './cluster-under-test.ts'

/** Looks the core up by protocol id; any membership descriptor names the same one. */
const MEMBERSHIP = membershipModule()

export function membershipOf(node: MeshNode | undefined): Membership | undefined {
  return node?.core(MEMBERSHIP)
}

export function stateOf(
  cluster: ClusterUnderTest,
  observer: number,
  subject: number,
): MemberState | undefined {
  return membershipOf(cluster.node(observer))?.member(cluster.peerId(subject))?.state
}

export function everyoneSees(cluster: ClusterUnderTest, alive: readonly number[]): boolean {
  for (const observer of alive) {
    for (const subject of alive) {
      if (observer !== subject && stateOf(cluster, observer, subject) !== 'alive') return false
    }
  }
  return true
}

export function defineMembershipCapability(factory: ClusterFactory): void {
  describe('membership', () => {
    let cluster: ClusterUnderTest
    const all = Array.from({ length: CONTRACT_CLUSTER_SIZE }, (_, i) => i)

    before(async () => {
      cluster = await factory(CONTRACT_CLUSTER_SIZE)
    })
    after(async () => {
      await cluster?.close()
    })

    it(`${CONTRACT_CLUSTER_SIZE} nodes joined through one seed all see each other alive`, async () => {
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 10_000))
    })

    it('a quiet cluster keeps everyone alive while it probes (in virtual time: no suspicion at all)', async () => {
      // On a real machine a suspicion may come and go when a loaded runner delays timers by tens of
      // milliseconds; the contract there is that it is refuted. In virtual time nothing stalls, so a
      // quiet cluster must not suspect anyone.
      const worst = cluster.virtualTime ? 'suspect' : 'failed'
      let wrongly: string | undefined
      await cluster.waitFor(() => {
        for (const observer of all) {
          for (const subject of all) {
            const state = stateOf(cluster, observer, subject)
            if (observer !== subject && (state === worst || state === 'failed'))
              wrongly = `${observer} holds ${subject} ${state}`
          }
        }
        return wrongly !== undefined
      }, 3_000)
      assert.equal(wrongly, undefined)
      if (cluster.virtualTime) {
        const raised = all.reduce(
          (sum, i) => sum + (membershipOf(cluster.node(i))?.stats.suspicionsRaised ?? 0),
          0,
        )
        assert.equal(raised, 0, 'no node raised a suspicion')
      }
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('survives a flood of valid but stale frames without losing a member', async () => {
      const stale = encodeMessage({ type: 'gossip', updates: [] })
      for (let i = 0; i < 5_000; i++) await cluster.injectFrame(3, 4, MEMBERSHIP_PROTOCOL, stale)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('splits 2|3 with both sides reporting the partition, then heals into one view', async () => {
      await cluster.partition([
        [0, 1],
        [2, 3, 4],
      ])
      const partitioned = (node: number): boolean => membershipOf(cluster.node(node))?.isPartitioned === true
      assert.ok(await cluster.waitFor(() => all.every(partitioned), 5_000))
      await cluster.heal()
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all) && !all.some(partitioned), 10_000))
    })

    it('a crashed node is marked failed by every other node', async () => {
      await cluster.crash(4)
      const rest = all.slice(0, 4)
      const gone = (): boolean =>
        rest.every((observer) => ['failed', 'left', undefined].includes(stateOf(cluster, observer, 4)))
      assert.ok(await cluster.waitFor(gone, 5_000))
      assert.ok(everyoneSees(cluster, rest))
    })
  })
}
