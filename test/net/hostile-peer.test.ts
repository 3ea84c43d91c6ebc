/**
 * A connected, admitted peer that sends garbage: malformed and oversized frames are dropped and counted,
 * the node keeps serving its members, and a peer that keeps at it is disconnected.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { Admission, realmKey } from '../../src/engines/libp2p/admission.ts'
import { lengthPrefixed } from '../../src/engines/libp2p/framing.ts'
import { startNode } from '../../src/engines/libp2p/index.ts'
import { loopbackNodeOptions, startLoopbackHost } from '../../src/engines/libp2p/libp2p-cluster.ts'
import {
  encodeMessage,
  MEMBERSHIP_PROTOCOL,
  MEMBERSHIP_WIRE_VERSION,
} from '../../src/protocols/membership/index.ts'
import { alive, metric } from './helpers.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-hostile-'))
const cleanup: Array<() => Promise<unknown>> = []
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  rmSync(dataDir, { recursive: true, force: true })
})

it('drops and counts malformed and oversized frames, and disconnects a peer that keeps sending them', {
  timeout: 30_000,
}, async () => {
  const node = await startNode(
    loopbackNodeOptions(dataDir, {
      realm: 'hostile',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      allowFaultInjection: false,
    }),
  )
  cleanup.push(() => node.stop())
  const attacker = await startLoopbackHost()
  cleanup.push(async () => attacker.stop())
  const admission = new Admission(attacker, realmKey('hostile'), 5_000)
  await admission.start()

  const connection = await attacker.dial(multiaddr(node.status().addresses[0] as string))
  assert.ok(await admission.wait(connection), 'the attacker holds the (open) realm key')
  let stream = await connection.newStream(MEMBERSHIP_PROTOCOL)
  stream.send(lengthPrefixed(Uint8Array.from([9, 9, 9]))) // unknown version
  stream.send(lengthPrefixed(Uint8Array.from([MEMBERSHIP_WIRE_VERSION, 0, 0x80]))) // ping with a truncated varint
  await new Promise((resolve) => setTimeout(resolve, 300))
  const rejected = node.rejectedFrames().membership ?? {}
  assert.ok((rejected['bad-version'] ?? 0) >= 1, JSON.stringify(rejected))
  assert.ok((rejected.truncated ?? 0) >= 1, JSON.stringify(rejected))
  assert.equal(node.status().state, 'running')

  // an announced length over the 1 MiB bound: the stream is reset at once
  stream.send(Uint8Array.from([0x80, 0x80, 0x80, 0x04]))
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.ok((node.rejectedFrames().membership?.oversized ?? 0) >= 1)

  // keep sending garbage until the node hangs up
  stream = await connection.newStream(MEMBERSHIP_PROTOCOL)
  for (let i = 0; i < 40; i++) stream.send(lengthPrefixed(Uint8Array.from([7, 7])))
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(metric(node, 'meshwork_peers_disconnected_total'), 1)
  assert.equal(node.status().state, 'running')
})

const foreignDir = mkdtempSync(join(tmpdir(), 'meshwork-foreign-'))
cleanup.unshift(async () => rmSync(foreignDir, { recursive: true, force: true }))

it('keeps a connection from a peer that does not speak Meshwork, but never serves it membership', {
  timeout: 30_000,
}, async () => {
  const node = await startNode(
    loopbackNodeOptions(foreignDir, {
      realm: 'foreign',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      allowFaultInjection: false,
    }),
  )
  cleanup.push(() => node.stop())
  // a plain libp2p peer (say, a public DHT server) without the admission protocol
  const stranger = await startLoopbackHost()
  cleanup.push(async () => stranger.stop())
  const connection = await stranger.dial(multiaddr(node.status().addresses[0] as string))
  const stream = await connection.newStream(MEMBERSHIP_PROTOCOL)
  stream.send(lengthPrefixed(encodeMessage({ type: 'ping', seq: 1, updates: [] })))
  await new Promise((resolve) => setTimeout(resolve, 6_000))
  assert.equal(alive(node), 0, 'the stranger was not taken in')
  assert.equal(stream.status === 'open', false, 'its membership stream was refused')
  assert.equal(connection.status, 'open', 'but the connection itself stays, for non-Meshwork services')
})
