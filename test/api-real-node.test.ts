/**
 * The API's schemas against a real node: what a libp2p node's modules contribute (status fields, the
 * members view, events) comes out of the server whole, so the API's own types (src/api/types.ts) and what
 * the modules produce cannot drift apart unnoticed (the response serialiser would drop a field the schema
 * does not name).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { getMembers, getStatus, type NodeEvent, streamEvents } from '../src/api/index.ts'
import { buildServer, listenApi } from '../src/daemon/index.ts'
import { type Libp2pDriver, startNode } from '../src/engines/libp2p/index.ts'
import { loopbackNodeOptions } from '../src/engines/libp2p/libp2p-cluster.ts'
import { until } from './net/helpers.ts'

const dirs: string[] = []
const nodes: Libp2pDriver[] = []
const cleanup: Array<() => Promise<unknown>> = []
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  await Promise.allSettled(nodes.map((node) => node.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function node(seeds: string[]): Promise<Libp2pDriver> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-api-real-'))
  dirs.push(dataDir)
  const started = await startNode(loopbackNodeOptions(dataDir, { realm: 'api-real', seeds, labels: ['x'] }))
  nodes.push(started)
  return started
}

it("serves a real node's status, members and events through the API's schemas without losing a field", {
  timeout: 30_000,
}, async () => {
  const a = await node([])
  const app = buildServer(a, { defaultMetrics: false })
  cleanup.push(() => app.close())
  const url = await listenApi(app, { host: '127.0.0.1', port: 0 })
  const events: NodeEvent[] = []
  const controller = new AbortController()
  const reading = (async () => {
    for await (const event of streamEvents(url, undefined, { signal: controller.signal })) events.push(event)
  })()
  const b = await node([a.status().addresses[0] as string])
  await until(() => events.some((event) => event.type === 'MemberJoined'), 10_000)
  controller.abort()
  await reading

  const served = await getStatus(url)
  const { uptimeMs: _servedUptime, ...servedRest } = served
  const { uptimeMs: _uptime, ...direct } = a.status()
  assert.deepEqual(servedRest, direct)
  assert.deepEqual(Object.keys(served).sort(), Object.keys(a.status()).sort())

  const members = await getMembers(url)
  // the round trip moves with every probe, between the two reads; every other field must match
  const withoutRtt = (view: unknown) =>
    JSON.parse(JSON.stringify(view), (key, value) => (key === 'rttMs' ? typeof value : value))
  assert.deepEqual(withoutRtt(members), withoutRtt(a.view('members')))
  assert.equal(members.members[0]?.peerId, b.peerId)

  const joined = events.find((event) => event.type === 'MemberJoined')
  assert.ok(joined !== undefined && joined.type === 'MemberJoined')
  assert.equal(joined.protocol, 'membership')
  assert.equal(joined.member.id, b.peerId)
  assert.deepEqual(joined.member.profile.labels, ['x'])
  assert.equal('signature' in joined.member, false, 'no raw bytes on the event stream')
})
