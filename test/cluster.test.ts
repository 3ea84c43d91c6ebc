/**
 * A local cluster of five real node processes: it comes up, a killed node is marked failed by the rest,
 * a 2|3 partition is reported on both sides, healing brings one view back, and no process survives.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { getMembers, getStatus } from '../src/api/client.ts'
import {
  type ClusterState,
  down,
  heal,
  kill,
  partition,
  readState,
  restart,
  STATE_FILE,
  status,
  up,
  waitForConvergence,
} from '../src/cluster/index.ts'
import { buildServer, listenApi } from '../src/daemon/index.ts'
import { FAKE_PEER_ID, FakeNode } from '../src/daemon/testing/fake-node.ts'
import { isMeshError } from '../src/kernel/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-cluster-test-'))
// away from `npm start`'s default ports, so a developer's running cluster does not collide
const BASE_PORT = 27_000 + (process.pid % 500) * 5
// two more clusters of one node each, past the five-node cluster's ports
const LONE_PORT = BASE_PORT + 5
const RESTART_PORT = BASE_PORT + 6
const pids: number[] = []
const otherDirs: string[] = []
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname

function tempDir(name: string): string {
  const path = mkdtempSync(join(tmpdir(), `meshwork-cluster-${name}-`))
  otherDirs.push(path)
  return path
}

/** A cluster state file whose nodes are all down: the verbs' refusals need no processes. */
function stoppedCluster(names: readonly string[]): string {
  const path = tempDir('stopped')
  const state: ClusterState = {
    version: 2,
    realm: 'cluster-test',
    connectionClass: 'lan',
    linkProfile: null,
    basePort: 1,
    nodes: names.map((name, index) => ({
      name,
      peerId: `${FAKE_PEER_ID.slice(0, -1)}${index}`,
      pid: null,
      api: `http://127.0.0.1:${1 + index}`,
      dataDir: join(path, name),
      logFile: join(path, name, 'node.log'),
      listen: [],
    })),
  }
  writeFileSync(join(path, STATE_FILE), JSON.stringify(state))
  return path
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    assert.ok(isMeshError(error), String(error))
    return error.message
  }
  return assert.fail('accepted')
}

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
  for (const other of otherDirs) await down(other).catch(() => {})
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), `process ${pid} survived the test`)
  }
  rmSync(dir, { recursive: true, force: true })
  for (const other of otherDirs) rmSync(other, { recursive: true, force: true })
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

describe('cluster verbs that have nothing to act on', () => {
  it('refuses a kill share above 100 % or of 0 %', async () => {
    const path = stoppedCluster(['n0', 'n1'])
    for (const share of ['150%', '0%', '101%']) {
      assert.equal(await refusal(kill(path, share)), `a share of the nodes is 1% to 100%, got '${share}'`)
    }
  })

  it('does not report a partition or a heal when no node runs', async () => {
    const path = stoppedCluster(['n0', 'n1', 'n2'])
    const nothing = `no node of the cluster in ${path} is running; start it again with: meshwork cluster restart <node> --dir ${path}`
    assert.equal(await refusal(partition(path, ['n0'])), nothing)
    assert.equal(await refusal(heal(path)), nothing)
  })
})

describe('a cluster of one node', { timeout: 90_000 }, () => {
  it('comes up without claiming to have converged', () => {
    const path = tempDir('lone')
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [MAIN, 'cluster', ...args, '--dir', path], {
        encoding: 'utf8',
        timeout: 60_000,
      })
    const result = run('up', '--nodes', '1', '--base-port', String(LONE_PORT))
    assert.equal(result.status, 0, result.stderr)
    const pid = readState(path).nodes[0]?.pid
    if (typeof pid === 'number') pids.push(pid)
    assert.doesNotMatch(result.stdout, /converged/)
    assert.match(result.stdout, /^1 node running \(alone, so there is nothing to converge\); up in \d+ ms$/m)
    assert.equal(run('down').status, 0)
  })
})

describe('a node restarted where another program answers', { timeout: 90_000 }, () => {
  it('is not taken for the node: the reason it failed is printed, and nothing is left running', async () => {
    const path = tempDir('restart')
    const state = await up({
      nodes: 1,
      dir: path,
      connectionClass: 'lan',
      basePort: RESTART_PORT,
      convergeLimitMs: 30_000,
    })
    const [node] = state.nodes
    assert.ok(node !== undefined && node.pid !== null)
    pids.push(node.pid)
    assert.match(node.peerId, /^12D3KooW/)
    assert.equal(
      (await getStatus(node.api)).peerId,
      node.peerId,
      'the recorded peer id is the one the node reports',
    )
    await kill(path, 'n0')
    // Another program (a node of some other realm) takes the API port of n0.
    const squatter = buildServer(new FakeNode(), { defaultMetrics: false })
    await listenApi(squatter, { host: '127.0.0.1', port: RESTART_PORT })
    try {
      const message = await refusal(restart(path, 'n0', 10_000))
      assert.equal(
        message,
        `node n0 could not start: cannot listen for the API on 127.0.0.1:${RESTART_PORT}: the address is in use (is another node running? pick another with --api 127.0.0.1:${RESTART_PORT + 1})`,
      )
      const after = readState(path).nodes[0]
      assert.equal(after?.peerId, node.peerId, 'the squatter was not recorded as n0')
      assert.equal(after?.pid, null)
    } finally {
      await squatter.close()
    }
    mkdirSync(path, { recursive: true })
    assert.deepEqual(await down(path), { stopped: 0, forced: 0 })
  })
})
