/**
 * A local cluster of five real node processes: it comes up, a killed node is marked failed by the rest,
 * a 2|3 partition is reported on both sides, healing brings one view back, and no process survives.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { getMembers, getStatus } from '../src/api/client.ts'
import {
  down,
  heal,
  kill,
  partition,
  readState,
  status,
  up,
  waitForConvergence,
} from '../src/cluster/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-cluster-test-'))
// away from `npm start`'s default ports, so a developer's running cluster does not collide
const BASE_PORT = 27_000 + (process.pid % 500) * 5
const pids: number[] = []

async function until(predicate: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = performance.now()
  while (!(await predicate())) {
    if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return performance.now() - start
}

after(async () => {
  await down(dir).catch(() => {})
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), `process ${pid} survived the test`)
  }
  rmSync(dir, { recursive: true, force: true })
})

describe('a local cluster of five node processes', { timeout: 120_000 }, () => {
  it('comes up with every node seeing every other', async () => {
    const state = await up({
      nodes: 5,
      dir,
      connectionClass: 'lan',
      basePort: BASE_PORT,
      convergeLimitMs: 60_000,
    })
    for (const node of state.nodes) if (node.pid !== null) pids.push(node.pid)
    assert.equal(pids.length, 5)
    const reports = await status(dir)
    assert.ok(reports.every((node) => node.state === 'running' && node.alive === 4))
  })

  it('marks a killed node failed on every other node', async () => {
    const [victim] = await kill(dir, 'n4')
    assert.equal(victim, 'n4')
    const state = readState(dir)
    const victimId = state.nodes.find((node) => node.name === 'n4')?.peerId
    const rest = state.nodes.filter((node) => node.name !== 'n4')
    await until(async () => {
      const views = await Promise.all(rest.map((node) => getMembers(node.api)))
      return views.every((view) => view.members.find((m) => m.peerId === victimId)?.state === 'failed')
    }, 5_000)
  })

  it('reports a 2|3 partition on both sides, and converges again after heal', async () => {
    // n4 is dead: the live sides are n0,n1 | n2,n3 plus the failed n4 on the far side
    await partition(dir, ['n0', 'n1'])
    const live = readState(dir).nodes.filter((node) => node.name !== 'n4')
    await until(async () => {
      const states = await Promise.all(live.map((node) => getStatus(node.api)))
      return states.every((each) => each.state === 'partitioned')
    }, 5_000)
    await heal(dir)
    await waitForConvergence(live, 10_000)
    // stale records from the other side can make the report flap once while the views merge
    await until(async () => {
      const states = await Promise.all(live.map((node) => getStatus(node.api)))
      return states.every((each) => each.state === 'running')
    }, 10_000)
  })

  it('stops every process on down', async () => {
    const { stopped } = await down(dir)
    assert.equal(stopped, 4)
    for (const pid of pids) assert.throws(() => process.kill(pid, 0))
  })
})
