/**
 * The overlay core stepped by hand (`protocols/testing/stepper.ts`, zero-latency links): joins and walks,
 * symmetric views, failure detection and repair, priorities, long links, leaving, and determinism.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type NodeId, Random } from '../../kernel/index.ts'
import { Stepper } from '../testing/stepper.ts'
import { type OverlayConfig, overlayConfig } from './config.ts'
import { Overlay } from './overlay.ts'
import type { OverlayEvent, OverlayMessage } from './types.ts'

type Net = Stepper<OverlayMessage, OverlayEvent, Overlay>

function overlay(id: NodeId, config: OverlayConfig, seed = 'overlay-test'): Overlay {
  return new Overlay({ self: id, config, random: new Random(seed).fork(id), now: 0 })
}

function network(ids: readonly NodeId[], overrides: Partial<OverlayConfig> = {}, seed?: string): Net {
  const net: Net = new Stepper(0)
  const config = overlayConfig('lan', overrides)
  for (const id of ids) net.add(id, overlay(id, config, seed))
  return net
}

/** Every node joins through the first, one after another. */
function joinAll(net: Net, ids: readonly NodeId[]): void {
  for (const id of ids.slice(1)) {
    net.core(id).join(net.now, [ids[0] as NodeId])
    net.collectAll()
    net.advance(10)
  }
}

function assertSymmetric(net: Net): void {
  for (const [id, core] of net.cores) {
    if (net.down.has(id)) continue
    for (const peer of core.activeView()) {
      assert.ok(net.core(peer).isNeighbor(id), `${id} holds ${peer}, which does not hold ${id}`)
    }
  }
}

const ids = (count: number): NodeId[] => Array.from({ length: count }, (_, i) => `n${i}`)

describe('overlay core', () => {
  it('makes a joiner and its contact neighbours of each other, both told by NeighborUp', () => {
    const net = network(['a', 'b'])
    net.core('b').join(0, ['a'])
    net.collectAll()
    net.advance(1)
    assert.deepEqual(net.core('a').activeView(), ['b'])
    assert.deepEqual(net.core('b').activeView(), ['a'])
    const up = (id: NodeId) => net.takeEvents(id).filter((event) => event.type === 'NeighborUp')
    assert.deepEqual(
      up('a').map((event) => [event.type, event.peer]),
      [['NeighborUp', 'b']],
    )
    assert.equal(up('b').length, 1)
  })

  it('spreads a join by FORWARD_JOIN walks, so the joiner gains neighbours beyond its contact', () => {
    const names = ids(12)
    const net = network(names)
    joinAll(net, names)
    net.advance(5_000)
    assertSymmetric(net)
    const last = net.core('n11')
    assert.ok(last.activeCount >= 2, `the last joiner has ${last.activeCount} neighbours`)
    for (const id of names) {
      const degree = net.core(id).activeCount
      assert.ok(degree >= 1 && degree <= 5, `${id} has degree ${degree}`)
    }
  })

  it('pings a silent neighbour, measures its round trip, and counts any message as life', () => {
    const net = network(['a', 'b'])
    net.core('b').join(0, ['a'])
    net.collectAll()
    net.advance(3_000)
    assert.equal(net.core('a').roundTripMs('b'), 0, 'zero-latency links measure 0 ms')
    assert.equal(net.core('a').stats.failuresDetected, 0)
    assert.ok(net.core('a').stats.sent.ping + net.core('b').stats.sent.ping >= 2)
  })

  it('detects a crashed neighbour by its silence and repairs the active view from the passive one', () => {
    const names = ids(8)
    const net = network(names)
    joinAll(net, names)
    net.advance(5_000)
    const victim = net.core('n0').activeView()[0] as NodeId
    const holders = names.filter((id) => id !== victim && net.core(id).isNeighbor(victim))
    net.down.add(victim)
    net.drop((message) => message.to === victim || message.from === victim)
    net.advance(5_000)
    for (const id of holders) {
      const core = net.core(id)
      assert.ok(!core.isNeighbor(victim), `${id} still holds the crashed ${victim}`)
      assert.ok(!core.passiveView().includes(victim), `${id} keeps the crashed ${victim} as a passive peer`)
      assert.ok(core.activeCount >= 1)
    }
    const downs = holders.flatMap((id) => net.takeEvents(id)).filter((event) => event.type === 'NeighborDown')
    assert.ok(downs.some((event) => event.peer === victim && event.reason === 'failed'))
    assertSymmetric(net)
  })

  it('takes a connection-lost hint as a failure at once, without waiting for the heartbeat', () => {
    const net = network(['a', 'b', 'c'])
    joinAll(net, ['a', 'b', 'c'])
    net.takeEvents('a')
    net.core('a').connectionLost(net.now, 'b')
    net.collectAll()
    const down = net.takeEvents('a').find((event) => event.type === 'NeighborDown')
    assert.deepEqual(down && [down.peer, down.type === 'NeighborDown' && down.reason], [
      'b',
      'connection-lost',
    ])
    assert.ok(!net.core('a').isNeighbor('b'))
  })

  it('refuses a low-priority request when full and accepts a high-priority one by dropping a neighbour', () => {
    const net = network(['hub', 'a', 'b', 'x'], { activeViewSize: 2, activeViewMin: 1, longLinks: 0 })
    const hub = net.core('hub')
    net.core('a').join(0, ['hub'])
    net.core('b').join(0, ['hub'])
    net.collectAll()
    net.advance(1)
    assert.equal(hub.activeCount, 2)
    hub.receive(net.now, 'x', { type: 'neighbor', priority: 'low', long: false })
    assert.deepEqual(hub.takeOutbox(), [{ to: 'x', message: { type: 'neighbor-reply', accepted: false } }])
    hub.receive(net.now, 'x', { type: 'neighbor', priority: 'high', long: false })
    const out = hub.takeOutbox()
    assert.ok(hub.isNeighbor('x'))
    assert.equal(hub.activeCount, 2)
    const dropped = out.find(({ message }) => message.type === 'disconnect')
    assert.ok(dropped !== undefined && ['a', 'b'].includes(dropped.to))
    assert.ok(
      hub.passiveView().includes(dropped.to),
      'a dropped neighbour is alive: it moves to the passive view',
    )
  })

  it('never drops a long link to make room while a near one could go', () => {
    const core = overlay('self', overlayConfig('lan', { activeViewSize: 3, activeViewMin: 1, longLinks: 2 }))
    core.receive(0, 'long-1', { type: 'neighbor', priority: 'low', long: true })
    core.receive(0, 'long-2', { type: 'neighbor', priority: 'low', long: true })
    core.receive(0, 'near', { type: 'neighbor', priority: 'low', long: false })
    for (let i = 0; i < 20; i++) {
      core.receive(1, `new-${i}`, { type: 'neighbor', priority: 'high', long: false })
      assert.ok(core.isNeighbor('long-1') && core.isNeighbor('long-2'), `long links kept at request ${i}`)
    }
  })

  it('answers a heartbeat from a node it does not hold with DISCONNECT, which repairs the asymmetry', () => {
    const net = network(['a', 'b', 'c'])
    joinAll(net, ['a', 'b', 'c'])
    // a forgets b without telling it (a lost DISCONNECT)
    const a = net.core('a')
    a.connectionLost(net.now, 'b')
    a.takeOutbox()
    assert.ok(net.core('b').isNeighbor('a') && !a.isNeighbor('b'))
    net.advance(2_000)
    assert.ok(!net.core('b').isNeighbor('a') || a.isNeighbor('b'), 'either both hold each other or neither')
    assertSymmetric(net)
    // whichever end notices first: b's heartbeat reaching a, or a's probe of b (now one of its passive
    // peers) reaching b, which then drops the link a no longer holds
    assert.ok(a.stats.asymmetriesRepaired + net.core('b').stats.asymmetriesRepaired >= 1)
  })

  it('forgets a neighbour that leaves, rather than keeping it as a passive peer', () => {
    const net = network(['a', 'b', 'c'])
    joinAll(net, ['a', 'b', 'c'])
    net.core('b').leave(net.now)
    net.collectAll()
    net.deliverAll()
    for (const id of ['a', 'c']) {
      assert.ok(!net.core(id).isNeighbor('b'))
      assert.ok(!net.core(id).passiveView().includes('b'))
    }
    assert.equal(net.core('b').nextDeadline(), undefined, 'a leaving node has nothing left to do')
    assert.ok(net.core('a').isNeighbor('c'))
  })

  it('retries the next contact when a JOIN goes unanswered', () => {
    const net = network(['dead', 'alive', 'joiner'])
    net.down.add('dead')
    net.core('joiner').join(0, ['dead', 'alive'])
    net.collectAll()
    net.advance(3_000)
    assert.deepEqual(net.core('joiner').activeView(), ['alive'])
  })

  it('refills a free slot with a high-priority request once no neighbour is left', () => {
    const names = ids(8)
    const net = network(names, { activeViewSize: 2, activeViewMin: 1, longLinks: 1 })
    joinAll(net, names)
    net.advance(30_000)
    const d = net.core('n7')
    for (const peer of d.activeView()) d.connectionLost(net.now, peer)
    assert.ok(d.passiveView().length > 0, 'the passive view holds peers to ask')
    assert.equal(d.nextDeadline(), net.now, 'the repair is due at once')
    d.tick(net.now)
    const requests = d.takeOutbox().filter(({ message }) => message.type === 'neighbor')
    assert.equal(requests.length, 1, 'one request at a time')
    assert.deepEqual(requests[0]?.message, { type: 'neighbor', priority: 'high', long: true })
  })

  it('gives the same views for the same seed, and different ones for another', () => {
    const names = ids(10)
    const views = (seed: string): string => {
      const net = network(names, {}, seed)
      joinAll(net, names)
      net.advance(30_000)
      return JSON.stringify(
        names.map((id) => [net.core(id).activeView().sort(), net.core(id).passiveView().sort()]),
      )
    }
    assert.equal(views('one'), views('one'))
    assert.notEqual(views('one'), views('two'))
  })
})
