/**
 * Remote input cannot grow state on a real node: an admitted peer that floods ping-req frames naming
 * ids it invented makes the node keep no link, queue or dial for any of them (the review found 63,149
 * link entries and +136 MB of heap after 100,000 such frames).
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
import { encodeMessage, MEMBERSHIP_PROTOCOL } from '../../src/protocols/membership/index.ts'
import { metric, until } from './helpers.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-made-up-'))
const cleanup: Array<() => Promise<unknown>> = []
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  rmSync(dataDir, { recursive: true, force: true })
})

it('keeps no state for 100,000 ping-req targets an admitted peer invented', { timeout: 60_000 }, async () => {
  const node = await startNode(
    loopbackNodeOptions(dataDir, { realm: 'made-up', listen: ['/ip4/127.0.0.1/tcp/0'] }),
  )
  cleanup.push(() => node.stop())
  const attacker = await startLoopbackHost()
  cleanup.push(async () => attacker.stop())
  const admission = new Admission(attacker, realmKey('made-up'), 5_000)
  await admission.start()
  // the attacker reads the node's answers, so that every nack can be delivered
  let nacks = 0
  await attacker.handle(MEMBERSHIP_PROTOCOL, (stream) => {
    stream.addEventListener('message', (event) => {
      nacks += event.data.byteLength
    })
  })
  // …and speaks the node's other protocols (reading nothing), as a member would: the overlay links to it
  for (const protocol of node.meshNode.protocols.filter((id) => id !== MEMBERSHIP_PROTOCOL)) {
    await attacker.handle(protocol, (stream) => {
      stream.addEventListener('message', () => {})
    })
  }
  const connection = await attacker.dial(multiaddr(node.status().addresses[0] as string))
  assert.ok(await admission.wait(connection))
  const stream = await connection.newStream(MEMBERSHIP_PROTOCOL)
  stream.addEventListener('message', () => {})
  const FRAMES = 100_000
  const BATCH = 1_000
  for (let sent = 0; sent < FRAMES; sent += BATCH) {
    const frames = Array.from({ length: BATCH }, (_, i) =>
      lengthPrefixed(
        encodeMessage({
          type: 'ping-req',
          seq: sent + i,
          target: `12D3KooWinvented${sent + i}`,
          updates: [],
        }),
      ),
    )
    const write = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0))
    let offset = 0
    for (const frame of frames) {
      write.set(frame, offset)
      offset += frame.length
    }
    if (!stream.send(write)) await stream.onDrain()
  }
  await until(() => metric(node, 'meshwork_messages_total', { direction: 'in' }) >= FRAMES, 30_000)
  // the attacker is a member, so each protocol may hold a link to it (membership for its nacks, the overlay
  // and what runs over it); none may exist for an invented id
  const protocols = node.meshNode.protocols.length
  assert.ok(
    node.linkCount() <= protocols,
    `${node.linkCount()} links (one per protocol for the attacker at most, ${protocols} protocols)`,
  )
  assert.equal(
    metric(node, 'meshwork_frames_dropped_total', { why: 'stranger' }),
    0,
    'nothing was even sent to them',
  )
  assert.equal(metric(node, 'meshwork_dial_failures_total'), 0, 'no invented id was dialled')
  await until(() => nacks > 0, 5_000)
  assert.equal(node.meshNode.knows('12D3KooWinvented7'), false)
})
