/**
 * Per-peer links on the real transport: a peer that stops reading fills the stream's window, `send()`
 * starts returning false, and the sender's queue stays bounded under each delivery policy; a stream reset
 * while the sender waits for its drain does not jam the link; and frames for peers the node does not deal
 * with make no link at all.
 */
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { DialBackoff } from '../../src/engines/libp2p/dial-backoff.ts'
import { startLoopbackHost } from '../../src/engines/libp2p/libp2p-cluster.ts'
import { LinkShaper } from '../../src/engines/libp2p/link-shaper.ts'
import { PeerLinks, type PeerLinksOptions } from '../../src/engines/libp2p/peer-links.ts'
import { until } from './helpers.ts'

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

async function pair(): Promise<{ sender: Libp2p; receiver: Libp2p; peer: string }> {
  const sender = await host()
  const receiver = await host()
  await sender.peerStore.merge(receiver.peerId, { multiaddrs: receiver.getMultiaddrs() })
  return { sender, receiver, peer: receiver.peerId.toString() }
}

function links(sender: Libp2p, receiver: Libp2p, overrides: Partial<PeerLinksOptions> = {}): PeerLinks {
  return new PeerLinks(sender, {
    protocol: PROTOCOL,
    delivery: { kind: 'drop-oldest', maxQueuedFrames: 64 },
    maxFrameBytes: 1 << 20,
    maxLinks: 16,
    dialTimeoutMs: 5_000,
    mayLink: () => true,
    toPeerId: () => receiver.peerId,
    onFrame: () => {},
    onStreamError: () => {},
    onRefused: () => {},
    admit: async () => true,
    backoff: new DialBackoff({ firstDelayMs: 500, maxDelayMs: 1_000, maxPeers: 16 }),
    shaper: new LinkShaper('unused'),
    ...overrides,
  })
}

/** A receiver that reads one chunk of each stream and then stops reading it. */
async function stallingReceiver(receiver: Libp2p): Promise<{ streams: Stream[]; chunks: () => number }> {
  const streams: Stream[] = []
  let chunks = 0
  await receiver.handle(PROTOCOL, (stream) => {
    streams.push(stream)
    stream.addEventListener('message', () => {
      chunks++
      stream.pause()
    })
  })
  return { streams, chunks: () => chunks }
}

it('keeps a bounded queue towards a peer that stops reading, and counts what it drops', {
  timeout: 30_000,
}, async () => {
  const { sender, receiver, peer } = await pair()
  const stalled = await stallingReceiver(receiver)
  const link = links(sender, receiver)
  const frame = new Uint8Array(16 * 1024).fill(1)
  for (let i = 0; i < 2_000; i++) {
    link.send(peer, frame)
    if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const { framesOut, framesDropped } = link.counters
  assert.ok(stalled.chunks() >= 1, 'the receiver read at first')
  assert.ok(framesDropped > 0, 'frames were dropped at the bound instead of piling up')
  // whatever was not dropped was either handed to the transport or still waits in the bounded queue
  assert.ok(2_000 - framesOut - framesDropped <= 64, `${framesOut} out, ${framesDropped} dropped`)
  assert.ok(framesOut < 2_000, 'the transport pushed back')
})

it('refuses frames past the bound under the refuse policy, and tells the sender each one', {
  timeout: 30_000,
}, async () => {
  const { sender, receiver, peer } = await pair()
  await stallingReceiver(receiver)
  let refused = 0
  const link = links(sender, receiver, {
    delivery: { kind: 'refuse', maxQueuedFrames: 8 },
    onRefused: () => refused++,
  })
  const frame = new Uint8Array(16 * 1024).fill(2)
  for (let i = 0; i < 500; i++) {
    link.send(peer, frame)
    if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.ok(refused > 0, 'the sender heard of refused frames')
  assert.equal(link.counters.framesDropped, 0, 'nothing was dropped silently')
  assert.equal(refused, link.counters.framesRefused)
  assert.ok(500 - link.counters.framesOut - refused <= 8)
})

it('sends on a new stream after the old one was reset while it waited for drain', {
  timeout: 30_000,
}, async () => {
  const { sender, receiver, peer } = await pair()
  const stalled = await stallingReceiver(receiver)
  const link = links(sender, receiver)
  const big = new Uint8Array(64 * 1024).fill(3)
  for (let i = 0; i < 200 && link.linkState(peer)?.waitingForDrain !== true; i++) {
    link.send(peer, big)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  assert.equal(link.linkState(peer)?.waitingForDrain, true, 'the sender waits for a drain')
  // the receiver resets the stalled stream, then reads every later stream to the end
  await receiver.unhandle(PROTOCOL)
  let arrived = 0
  await receiver.handle(PROTOCOL, (stream) => {
    stream.addEventListener('message', (event) => {
      arrived += event.data.byteLength
    })
  })
  stalled.streams[0]?.abort(new Error('reset by the test'))
  await until(() => link.linkState(peer)?.open === false, 5_000)
  const small = new Uint8Array(100).fill(4)
  for (let i = 0; i < 20; i++) link.send(peer, small)
  // 20 frames of 100 bytes with a one-byte length prefix each
  await until(() => arrived >= 20 * 101, 5_000)
  assert.equal(link.linkState(peer)?.waitingForDrain, false)
})

it('makes no link for a peer the node does not deal with', { timeout: 30_000 }, async () => {
  const { sender, receiver } = await pair()
  const link = links(sender, receiver, { mayLink: (peer) => peer === 'member' })
  for (let i = 0; i < 10_000; i++) link.send(`made-up-${i}`, Uint8Array.of(1))
  assert.equal(link.size, 0)
  assert.equal(link.counters.framesToStrangers, 10_000)
  assert.equal(link.counters.dialFailures, 0, 'nothing was dialled')
})

it('resends a write that threw because its stream closed under it, on a new stream, without throwing', {
  timeout: 30_000,
}, async () => {
  const { sender, receiver, peer } = await pair()
  const arrived: number[] = []
  await receiver.handle(PROTOCOL, (stream) => {
    stream.addEventListener('message', (event) => {
      for (const byte of event.data.subarray()) arrived.push(byte)
    })
  })
  const link = links(sender, receiver)
  link.send(peer, Uint8Array.of(7))
  await until(() => arrived.length >= 2, 5_000)
  // the race seen when a duplicate connection closes: the stream still says open, and its send throws
  const stream = sender
    .getConnections(receiver.peerId)
    .flatMap((connection) => connection.streams)
    .find((each) => each.protocol === PROTOCOL)
  assert.ok(stream !== undefined, 'the link has a stream')
  stream.send = () => {
    throw new Error('Cannot write to a stream that is closed')
  }
  link.send(peer, Uint8Array.of(8))
  link.send(peer, Uint8Array.of(9))
  // length prefix 1, then the byte: both later frames arrive, in order, on a new stream
  await until(() => arrived.length >= 6, 5_000)
  assert.deepEqual(arrived, [1, 7, 1, 8, 1, 9])
  assert.equal(link.counters.framesOut, 3, 'each frame counted once')
})
