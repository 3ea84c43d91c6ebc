/**
 * Replicated state on the real engine: two libp2p nodes on loopback, writes on one seen on the other, a
 * restart that recovers from the node's own database, and a corrupted database refused at start.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { buildServer } from '../../src/daemon/server.ts'
import type { Libp2pDriver } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { STATE_DATABASE, startNode } from '../../src/engines/libp2p/start-node.ts'

const dirs: string[] = []
const nodes: Libp2pDriver[] = []

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshwork-state-'))
  dirs.push(dir)
  return dir
}

async function start(dir: string, seeds: string[] = []): Promise<Libp2pDriver> {
  const node = await startNode(loopbackNodeOptions(dir, { realm: 'state-test', seeds }))
  nodes.push(node)
  return node
}

async function until(check: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

after(async () => {
  for (const node of nodes) await node.kill().catch(() => {})
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('replicated state on two libp2p nodes', { timeout: 60_000 }, () => {
  it('spreads writes, recovers them after a restart, and refuses a corrupted database', async () => {
    const dirA = dataDir()
    const a = await start(dirA)
    const b = await start(dataDir(), [a.status().addresses[0] as string])
    const jobsA = a.state.set('jobs')
    const jobsB = b.state.set('jobs')
    const archive = a.state.topN('archive', { capacity: 2 })
    await until(
      () => (b.status().overlay as { active: number }).active === 1,
      15_000,
      'the two nodes to meet',
    )
    jobsA.add('x')
    archive.offer('g1', 5, { genome: 1 })
    archive.offer('g2', 9, { genome: 2 })
    archive.offer('g3', 1, { genome: 3 })
    b.state.counter('hits').inc('k', 3)
    await until(() => jobsB.values().includes('x'), 15_000, "a's write to reach b")
    await until(
      () => ((b.state.read('archive')?.value as unknown[] | undefined)?.length ?? 0) === 2,
      15_000,
      'the archive',
    )
    assert.deepEqual(b.state.read('archive')?.value, [
      { id: 'g2', rank: 9, value: { genome: 2 } },
      { id: 'g1', rank: 5, value: { genome: 1 } },
    ])
    await until(
      () => a.state.read('hits')?.fingerprint === b.state.read('hits')?.fingerprint,
      15_000,
      'the counter',
    )
    assert.deepEqual(a.state.read('hits')?.value, { k: 3 })

    // a restart recovers what the node acknowledged, from its own database
    await a.kill()
    const again = await start(dirA, [b.status().addresses[0] as string])
    assert.deepEqual(again.state.set('jobs').values(), ['x'])
    assert.equal((again.state.read('archive')?.value as unknown[] | undefined)?.length, 2)
    await again.stop()

    // a corrupted database stops the start with a clear error naming the file
    writeFileSync(join(dirA, STATE_DATABASE), 'this is not a database'.repeat(100))
    await assert.rejects(start(dirA), (error: Error) => error.message.includes(STATE_DATABASE))
  })

  it('serves the state routes: create, durable writes, reads, and 4xx that name the problem', async () => {
    const node = await start(dataDir())
    const app = buildServer(node, { defaultMetrics: false })
    const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => {
      const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })
      return { status: response.statusCode, body: response.json() as Record<string, unknown> }
    }
    try {
      assert.deepEqual(await call('PUT', '/v1/state/archive', { type: 'topN', capacity: 2 }), {
        status: 200,
        body: { ok: true },
      })
      assert.equal(
        (await call('PUT', '/v1/state/archive', { type: 'topN', capacity: 2 })).status,
        200,
        'idempotent',
      )
      assert.equal((await call('PUT', '/v1/state/archive', { type: 'set' })).status, 409)
      assert.equal((await call('PUT', '/v1/state/jobs', { type: 'list' })).status, 400)
      assert.equal(
        (await call('POST', '/v1/state/archive', { op: 'offer', id: 'g1', rank: 3, value: { a: 1 } })).status,
        200,
      )
      const wrongType = await call('POST', '/v1/state/archive', { op: 'add', value: 'x' })
      assert.equal(wrongType.status, 400)
      assert.match(String(wrongType.body.message), /takes offer operations, not add/)
      assert.equal((await call('POST', '/v1/state/archive', { op: 'offer', id: 'g2' })).status, 400)
      assert.equal((await call('POST', '/v1/state/nothing', { op: 'add', value: 'x' })).status, 404)
      assert.equal((await call('GET', '/v1/state/nothing')).status, 404)
      await call('PUT', '/v1/state/hits', { type: 'counter' })
      await call('POST', '/v1/state/hits', { op: 'inc', key: 'k', by: 2 })
      await call('PUT', '/v1/state/meta', { type: 'map' })
      await call('POST', '/v1/state/meta', { op: 'put', key: 'owner', value: 'dave' })
      const archive = await call('GET', '/v1/state/archive')
      assert.equal(archive.status, 200)
      assert.equal(archive.body.type, 'topN')
      assert.match(String(archive.body.fingerprint), /^[0-9a-f]{32}$/)
      assert.deepEqual(archive.body.value, [{ id: 'g1', rank: 3, value: { a: 1 } }])
      assert.deepEqual((await call('GET', '/v1/state/hits')).body.value, { k: 2 })
      assert.deepEqual((await call('GET', '/v1/state/meta')).body.value, { owner: 'dave' })
    } finally {
      await app.close()
    }
  })
})
