import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import { Stepper } from '../testing/stepper.ts'
import { broadcastConfig } from './config.ts'
import { Plumtree } from './plumtree.ts'
import type { BroadcastEvent, BroadcastMessage } from './types.ts'

const config = broadcastConfig()
const payload = (text: string): Uint8Array => new TextEncoder().encode(text)

type Net = Stepper<BroadcastMessage, BroadcastEvent, Plumtree>

/** Nodes n0 … n(count−1), each the neighbour of the next `degree / 2` around a ring (a regular graph). */
function ringNetwork(count: number, degree: number, overrides = {}): Net {
  const net: Net = new Stepper()
  const ids = Array.from({ length: count }, (_, i) => `n${i}`)
  for (const id of ids)
    net.add(id, new Plumtree({ self: id, config: broadcastConfig(overrides), now: 0, random: new Random(7) }))
  for (let i = 0; i < count; i++) {
    for (let step = 1; step <= degree / 2; step++) {
      const a = ids[i] as string
      const b = ids[(i + step) % count] as string
      net.core(a).neighborUp(0, b)
      net.core(b).neighborUp(0, a)
    }
  }
  return net
}

function deliveries(net: Net): Map<string, number> {
  const counts = new Map<string, number>()
  for (const id of net.cores.keys()) {
    const delivered = net.takeEvents(id).filter((event) => event.type === 'Delivered').length
    counts.set(id, delivered)
  }
  return counts
}

function gossipSent(net: Net): number {
  let sent = 0
  for (const core of net.cores.values()) sent += core.counters.gossipSent
  return sent
}

describe('Plumtree', () => {
  it('delivers a broadcast to every node exactly once', () => {
    const net = ringNetwork(20, 4)
    net.core('n0').broadcast(net.now, 'test', payload('hello'))
    net.collectAll()
    net.advance(2_000)
    for (const [id, count] of deliveries(net)) assert.equal(count, 1, id)
  })

  it('prunes duplicate links into a tree: later broadcasts send each payload about once per node', () => {
    const net = ringNetwork(30, 6)
    net.core('n0').broadcast(net.now, 'test', payload('first'))
    net.collectAll()
    net.advance(2_000)
    deliveries(net)
    const before = gossipSent(net)
    net.core('n0').broadcast(net.now, 'test', payload('second'))
    net.collectAll()
    net.advance(2_000)
    for (const [id, count] of deliveries(net)) assert.equal(count, 1, id)
    // a spanning tree has n − 1 edges; the first broadcast, a flood, sent about n · (degree − 1)
    const eagerSends = gossipSent(net) - before
    assert.ok(eagerSends <= 29 + 3, `eager sends of the second broadcast: ${eagerSends}`)
    assert.ok(before >= 30 * 4, `the first broadcast flooded: ${before}`)
  })

  it('repairs a broken branch through an announcement and a graft', () => {
    const net = ringNetwork(16, 4)
    net.core('n0').broadcast(net.now, 'test', payload('tree'))
    net.collectAll()
    net.advance(2_000)
    deliveries(net)
    // break every eager link into n8: its gossip is dropped, its announcements still come
    net.allow = (from, to) => !(to === 'n8' && net.core(from).eagerPeers().includes('n8'))
    net.core('n0').broadcast(net.now, 'test', payload('repair'))
    net.collectAll()
    net.advance(300)
    net.allow = () => true
    net.advance(2_000)
    const counts = deliveries(net)
    assert.equal(counts.get('n8'), 1)
    assert.ok(net.core('n8').counters.graftsSent >= 1)
    for (const [id, count] of counts) assert.equal(count, 1, id)
  })

  it('tells a new neighbour what passed in the last catch-up stretch, so that it can graft it', () => {
    const old = new Plumtree({
      self: 'a',
      config: broadcastConfig({ catchUpMs: 1_000, exchangeIntervalMs: 60_000 }),
      now: 0,
      random: new Random(7),
    })
    old.broadcast(0, 'test', payload('early'))
    old.broadcast(800, 'test', payload('recent'))
    old.takeOutbox()
    old.neighborUp(1_500, 'b')
    old.tick(1_500 + config.lazyIntervalMs)
    const sent = old.takeOutbox()
    assert.equal(sent.length, 1)
    const message = sent[0]?.message
    assert.equal(message?.type, 'ihave')
    // only the message within the last second is announced
    assert.deepEqual(message?.type === 'ihave' ? message.announcements.map((a) => a.seq) : [], [2])
    assert.equal(old.counters.catchUpAnnouncements, 1)
  })

  it('ignores announcements from peers that are not neighbours', () => {
    const node = new Plumtree({ self: 'a', config, now: 0, random: new Random(7) })
    node.receive(0, 'stranger', {
      type: 'ihave',
      announcements: Array.from({ length: 100 }, (_, i) => ({ origin: `x${i}`, epoch: 1, seq: i, round: 0 })),
    })
    assert.equal(node.missingCount, 0)
    assert.equal(node.counters.strangerAnnouncements, 100)
    assert.equal(node.nextDeadline(), undefined)
  })

  it('bounds the messages it waits for, whatever ids a neighbour invents', () => {
    const node = new Plumtree({
      self: 'a',
      config: broadcastConfig({ maxMissing: 50 }),
      now: 0,
      random: new Random(7),
    })
    node.neighborUp(0, 'b')
    for (let batch = 0; batch < 20; batch++) {
      node.receive(0, 'b', {
        type: 'ihave',
        announcements: Array.from({ length: 10 }, (_, i) => ({
          origin: 'made-up',
          epoch: batch,
          seq: i,
          round: 0,
        })),
      })
    }
    assert.equal(node.missingCount, 50)
    assert.equal(node.counters.missingDropped, 150)
    // each is grafted from its announcer, and given up after the rounds of grafts allowed
    for (let t = 0; t < 40; t++) node.tick(node.nextDeadline() ?? 0)
    assert.equal(node.missingCount, 0)
    assert.equal(node.counters.missingAbandoned, 50)
  })

  it('answers a graft from the messages it keeps, until they expire', () => {
    const node = new Plumtree({
      self: 'a',
      config: broadcastConfig({ storeTtlMs: 1_000 }),
      now: 0,
      random: new Random(7),
    })
    const id = node.broadcast(0, 'test', payload('kept'))
    node.takeOutbox()
    node.receive(10, 'b', { type: 'graft', id, round: 0 })
    const answer = node.takeOutbox()
    assert.equal(answer.length, 1)
    assert.equal(answer[0]?.message.type, 'gossip')
    node.tick(1_000)
    node.receive(1_001, 'b', { type: 'graft', id, round: 0 })
    assert.equal(node.takeOutbox().length, 0)
    assert.equal(node.counters.graftsUnanswered, 1)
  })

  it("repairs an eager copy lost on a node's only link by the periodic exchange of recent ids", () => {
    const net = ringNetwork(2, 2)
    // n1's only link: the gossip is lost, and nobody announces it to n1 since the link is eager
    net.allow = (from, to) => !(from === 'n0' && to === 'n1')
    net.core('n0').broadcast(net.now, 'test', payload('lost'))
    net.collectAll()
    net.deliverAll()
    net.allow = () => true
    assert.equal(net.takeEvents('n1').length, 0)
    net.advance(config.exchangeIntervalMs + config.lazyIntervalMs + config.graftTimeoutMs + 10)
    assert.equal(net.takeEvents('n1').filter((e) => e.type === 'Delivered').length, 1)
    assert.ok(net.core('n0').counters.exchanges >= 1)
    // once nothing recent is held, the exchange stops: an idle node sends nothing
    net.advance(config.catchUpMs + 2 * config.exchangeIntervalMs)
    const before = net.core('n0').counters.exchanges
    net.advance(10 * config.exchangeIntervalMs)
    assert.equal(net.core('n0').counters.exchanges, before)
  })

  it('gives a restarted node a new epoch, so its new messages are not taken for old ones', () => {
    const receiver = new Plumtree({ self: 'r', config, now: 0, random: new Random(7) })
    const first = new Plumtree({ self: 's', config, now: 1_000, random: new Random(7) })
    const restarted = new Plumtree({ self: 's', config, now: 5_000, random: new Random(7) })
    for (const sender of [first, restarted]) {
      sender.neighborUp(0, 'r')
      sender.broadcast(6_000, 'test', payload('seq 1'))
      for (const { message } of sender.takeOutbox()) receiver.receive(6_000, 's', message)
    }
    assert.equal(receiver.takeEvents().length, 2)
    assert.equal(receiver.counters.duplicates, 0)
  })

  it('refuses payloads and channel names over their bounds', () => {
    const node = new Plumtree({
      self: 'a',
      config: broadcastConfig({ maxPayloadBytes: 8, maxChannelBytes: 4 }),
      now: 0,
      random: new Random(7),
    })
    assert.throws(() => node.broadcast(0, 'test', new Uint8Array(9)), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => node.broadcast(0, 'toolong', new Uint8Array(1)), { code: 'INVALID_ARGUMENT' })
  })

  it('shortens a path when an announcement comes from much nearer the origin', () => {
    const node = new Plumtree({
      self: 'a',
      config: broadcastConfig({ optimizationHops: 3 }),
      now: 0,
      random: new Random(7),
    })
    node.neighborUp(0, 'far')
    node.neighborUp(0, 'near')
    node.receive(0, 'far', {
      type: 'gossip',
      origin: 'o',
      epoch: 1,
      seq: 1,
      round: 6,
      channel: 'test',
      payload: payload('x'),
    })
    node.takeOutbox()
    node.receive(1, 'near', { type: 'ihave', announcements: [{ origin: 'o', epoch: 1, seq: 1, round: 1 }] })
    const sent = node.takeOutbox().map(({ to, message }) => `${to}:${message.type}`)
    assert.deepEqual(sent.sort(), ['far:prune', 'near:graft'])
    assert.ok(node.eagerPeers().includes('near'))
    assert.ok(node.lazyPeers().includes('far'))
  })
})
