/**
 * Lost peers remembered and asked again, on one core stepped by hand: a neighbour that fell silent is
 * pinged on a backoff; answering the first reprobe returns it to the passive view (a lost message),
 * answering only after a reprobe failed makes it a merge candidate (a healed cut), asked with high
 * priority; ids never heard from are not remembered; and the memory is bounded.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Millis, type NodeId, Random } from '../../kernel/index.ts'
import { overlayConfig } from './config.ts'
import { DormantPeers } from './dormant-peers.ts'
import { Overlay } from './overlay.ts'
import type { OverlayMessage } from './types.ts'

const config = overlayConfig('lan')

/** Runs `core` to its next deadline; the time it ran to. */
function step(core: Overlay, now: Millis): Millis {
  const at = core.nextDeadline() ?? now + 100
  core.tick(at)
  return at
}

/** A core whose one neighbour `friend` has just failed its heartbeat (nothing answered). */
function withLostFriend(): { core: Overlay; now: Millis } {
  const core = new Overlay({ self: 'me', config, random: new Random('dormant'), now: 0 })
  core.receive(0, 'friend', { type: 'neighbor', priority: 'high', long: true })
  let now = 0
  while (core.isNeighbor('friend')) now = step(core, now)
  core.takeOutbox()
  return { core, now }
}

/** Runs the core to its next ping of `peer` that is not a heartbeat; its nonce and when it went. */
function nextReprobe(core: Overlay, from: Millis, peer: NodeId): { nonce: number; at: Millis } {
  for (let now = from; now < from + 10 * config.reprobeMaxMs; ) {
    now = step(core, now)
    for (const { to, message } of core.takeOutbox()) {
      if (to === peer && message.type === 'ping' && !message.neighbor)
        return { nonce: message.nonce, at: now }
    }
  }
  throw new Error(`no reprobe of ${peer}`)
}

const neighborRequests = (sent: readonly { to: NodeId; message: OverlayMessage }[]) =>
  sent.filter(({ message }) => message.type === 'neighbor')

describe('dormant peers', () => {
  it('remembers a neighbour that fell silent, and takes it back as a passive peer when the first reprobe is answered', () => {
    const { core, now } = withLostFriend()
    assert.deepEqual(core.dormantPeers(), ['friend'])
    assert.ok(core.knows('friend'))
    const probe = nextReprobe(core, now, 'friend')
    assert.ok(probe.at - now >= 0.5 * config.reprobeBaseMs && probe.at - now < 1.5 * config.reprobeBaseMs)
    core.receive(probe.at + 1, 'friend', { type: 'pong', nonce: probe.nonce })
    assert.deepEqual(core.dormantPeers(), [])
    assert.ok(core.passiveView().includes('friend'))
    assert.equal(core.stats.mergesAsked, 0)
  })

  it('asks a lost peer with high priority once it answers after a reprobe went unanswered', () => {
    const { core, now } = withLostFriend()
    const first = nextReprobe(core, now, 'friend')
    // the first reprobe goes unanswered (the cut holds); the second, twice as late, is answered
    const second = nextReprobe(core, first.at, 'friend')
    assert.ok(second.at - first.at >= config.neighborTimeoutMs)
    core.receive(second.at + 1, 'friend', { type: 'pong', nonce: second.nonce })
    const asked = neighborRequests(core.takeOutbox())
    assert.deepEqual(asked, [{ to: 'friend', message: { type: 'neighbor', priority: 'high', long: true } }])
    core.receive(second.at + 2, 'friend', { type: 'neighbor-reply', accepted: true })
    assert.ok(core.isNeighbor('friend'))
    assert.equal(core.stats.merges, 1)
  })

  it('forgets, rather than remembers, a passive peer it never heard from', () => {
    const core = new Overlay({ self: 'me', config, random: new Random('dormant'), now: 0 })
    core.receive(0, 'friend', { type: 'neighbor', priority: 'high', long: true })
    core.receive(0, 'friend', { type: 'shuffle', origin: 'walker', ttl: 1, sample: ['made-up'] })
    for (let now = 0; now < 5_000; ) {
      now = step(core, now)
      // the friend answers its heartbeats; nobody else answers anything
      for (const { to, message } of core.takeOutbox()) {
        if (to === 'friend' && message.type === 'ping') {
          core.receive(now, 'friend', { type: 'pong', nonce: message.nonce })
        }
      }
    }
    assert.ok(!core.passiveView().includes('made-up'), 'the made-up id was probed and dropped')
    assert.ok(!core.dormantPeers().includes('made-up'))
  })

  it('holds at most its capacity, displacing the oldest loss', () => {
    const dormant = new DormantPeers(3, 1_000, 30_000, new Random('bound'))
    const displaced = ['a', 'b', 'c', 'd', 'e'].map((id, i) => dormant.add(id, i))
    assert.deepEqual(displaced, [false, false, false, true, true])
    assert.deepEqual(dormant.ids(), ['c', 'd', 'e'])
  })
})
