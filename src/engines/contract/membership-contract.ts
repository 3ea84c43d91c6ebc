/**
 * The membership contract every engine passes: join, quiet probing, crash detection, partition and heal,
 * and robustness against malformed, oversized and floods of frames. An engine's test file calls
 * `defineMembershipContract(name, factory)` and nothing else.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeMessage } from '../../protocols/membership/index.ts'
import type { ClusterFactory, ClusterUnderTest } from './cluster-under-test.ts'

const SIZE = 5

function everyoneSees(cluster: ClusterUnderTest, alive: readonly number[]): boolean {
  for (const observer of alive) {
    for (const subject of alive) {
      if (observer !== subject && cluster.stateOf(observer, subject) !== 'alive') return false
    }
  }
  return true
}

export function defineMembershipContract(engine: string, factory: ClusterFactory): void {
  describe(`membership contract: ${engine}`, { timeout: 120_000 }, () => {
    let cluster: ClusterUnderTest
    const all = Array.from({ length: SIZE }, (_, i) => i)

    before(async () => {
      cluster = await factory(SIZE)
    })
    after(async () => {
      await cluster?.close()
    })

    it(`${SIZE} nodes joined through one seed all see each other alive`, async () => {
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 10_000))
    })

    it('a quiet cluster declares no one failed while it probes', async () => {
      // A suspicion may come and go when the machine stalls (a loaded CI runner delays timers by tens of
      // milliseconds); the contract is that it is refuted, never that it cannot happen.
      let falselyFailed = false
      await cluster.waitFor(() => {
        for (const observer of all) {
          for (const subject of all) {
            if (observer !== subject && cluster.stateOf(observer, subject) === 'failed') falselyFailed = true
          }
        }
        return falselyFailed
      }, 3_000)
      assert.equal(falselyFailed, false)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('drops malformed frames, counts them, and keeps its members', async () => {
      const before = cluster.rejectedFrames(1)
      for (const bytes of [
        Uint8Array.from([9, 9, 9]),
        Uint8Array.from([1, 0, 0x80]),
        Uint8Array.from([1, 5, 1, 2, 3]),
        new Uint8Array(0),
      ]) {
        await cluster.injectFrame(1, 0, bytes)
      }
      assert.ok(cluster.rejectedFrames(1) >= before + 4)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('drops a frame larger than the frame bound', async () => {
      const before = cluster.rejectedFrames(2)
      const oversized = new Uint8Array(2 * 1_048_576)
      oversized[0] = 1
      await cluster.injectFrame(2, 0, oversized)
      assert.ok(cluster.rejectedFrames(2) > before)
    })

    it('survives a flood of valid but stale frames without losing a member', async () => {
      const stale = encodeMessage({ type: 'gossip', updates: [] })
      for (let i = 0; i < 5_000; i++) await cluster.injectFrame(3, 4, stale)
      assert.ok(await cluster.waitFor(() => everyoneSees(cluster, all), 2_000))
    })

    it('splits 2|3 with both sides reporting the partition, then heals into one view', async () => {
      await cluster.partition([
        [0, 1],
        [2, 3, 4],
      ])
      assert.ok(await cluster.waitFor(() => all.every((node) => cluster.isPartitioned(node)), 5_000))
      await cluster.heal()
      assert.ok(
        await cluster.waitFor(
          () => everyoneSees(cluster, all) && all.every((n) => !cluster.isPartitioned(n)),
          10_000,
        ),
      )
    })

    it('a crashed node is marked failed by every other node', async () => {
      await cluster.crash(4)
      const rest = all.slice(0, 4)
      const gone = (): boolean =>
        rest.every((observer) => ['failed', 'left', undefined].includes(cluster.stateOf(observer, 4)))
      assert.ok(await cluster.waitFor(gone, 5_000))
      assert.ok(everyoneSees(cluster, rest))
    })
  })
}
