/**
 * Backpressure on the real transport: a peer that stops reading fills the stream's window, `send()`
 * starts returning false, and the sender's per-peer queue stays bounded, dropping (and counting) the
 * oldest frames instead of growing.
 */
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import type { Libp2p } from 'libp2p'
import { startLoopbackHost } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { LinkShaper } from '../../src/engines/libp2p/link-shaper.ts'
import { PeerLinks } from '../../src/engines/libp2p/peer-links.ts'

const PROTOCOL = '/meshwork/backpressure-test/1'
const hosts: Libp2p[] = []
after(async () => {
  await Promise.allSettled(hosts.map((host) => host.stop()))
})

async function host(): Promise<Libp2p> {
  const created = await startLoopbackHost()
  hosts.push(created)
  return created
}

it('keeps a bounded queue towards a peer that stops reading, and counts what it drops', {
  timeout: 30_000,
}, async () => {
  const sender = await host()
  const receiver = await host()
  let received = 0
  await receiver.handle(PROTOCOL, (stream) => {
    // read one chunk, then never again: the window fills up behind it
    stream.addEventListener('message', () => {
      received++
      stream.pause()
    })
  })
  await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
  const maxQueuedFrames = 64
  const links = new PeerLinks(sender, {
    protocol: PROTOCOL,
    maxFrameBytes: 1 << 20,
    maxQueuedFrames,
    dialBackoffMs: 500,
    dialTimeoutMs: 5_000,
    toPeerId: () => receiver.peerId,
    onFrame: () => {},
    onStreamError: () => {},
    admit: async () => true,
    shaper: new LinkShaper('unused'),
  })
  const frame = new Uint8Array(16 * 1024).fill(1)
  const peer = receiver.peerId.toString()
  for (let i = 0; i < 2_000; i++) {
    links.send(peer, frame)
    if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const { framesOut, framesDropped } = links.counters
  assert.ok(received >= 1, 'the receiver read at first')
  assert.ok(framesDropped > 0, 'frames were dropped at the bound instead of piling up')
  // whatever was not dropped was either handed to the transport or still waits in the bounded queue
  assert.ok(
    2_000 - framesOut - framesDropped <= maxQueuedFrames,
    `${framesOut} out, ${framesDropped} dropped`,
  )
  assert.ok(framesOut < 2_000, 'the transport pushed back')
})
