import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import { Stepper } from '../testing/stepper.ts'
import { AntiEntropy } from './antientropy.ts'
import { antiEntropyConfig, rbsrConfig } from './config.ts'
import { encodeRbsrMessage } from './rbsr-codec.ts'
import { MemorySource, ship } from './testing/memory-source.ts'
import { hexSet, randomId } from './testing/sets.ts'
import type { AntiEntropyEvent, AntiEntropyMessage } from './types.ts'

type Net = Stepper<AntiEntropyMessage, AntiEntropyEvent, AntiEntropy>
const config = antiEntropyConfig({ intervalMs: 1_000, sessionTimeoutMs: 3_000 })
const rbsr = rbsrConfig()

function core(id: string, source: MemorySource, seed: number, overrides = {}): AntiEntropy {
  return new AntiEntropy({
    self: id,
    now: 0,
    random: new Random(seed),
    source,
    config: antiEntropyConfig({ ...config, ...overrides }),
    rbsr,
  })
}

function ids(count: number, seed: number): Uint8Array[] {
  const random = new Random(seed)
  return Array.from({ length: count }, () => randomId(random))
}

/** Nodes with the given sources, every pair neighbours. */
function mesh(sources: Record<string, MemorySource>, overrides = {}): Net {
  const net: Net = new Stepper()
  const names = Object.keys(sources)
  names.forEach((id, i) => {
    net.add(id, core(id, sources[id] as MemorySource, i + 1, overrides))
  })
  for (const a of names) for (const b of names) if (a !== b) net.core(a).neighborUp(0, b)
  return net
}

function events(net: Net, id: string): AntiEntropyEvent[] {
  return net.takeEvents(id)
}

describe('anti-entropy', () => {
  it('two replicas that agree exchange a digest and an empty answer, and emit nothing', () => {
    const shared = ids(500, 1)
    const a = new MemorySource()
    const b = new MemorySource()
    a.add('archive', shared)
    b.add('archive', shared)
    const net = mesh({ a, b })
    net.advance(1_600)
    assert.deepEqual(events(net, 'a'), [])
    assert.deepEqual(events(net, 'b'), [])
    const started = net.core('a').counters.sessionsStarted + net.core('b').counters.sessionsStarted
    assert.ok(started >= 1)
    assert.equal(net.core('a').counters.objectsInSync + net.core('b').counters.objectsInSync, started)
    assert.equal(net.core('a').counters.messagesSent + net.core('b').counters.messagesSent, 2 * started)
  })

  it('two replicas that differ each learn what only they hold and what only the other holds', () => {
    const shared = ids(2_000, 2)
    const onlyA = ids(7, 3)
    const onlyB = ids(4, 4)
    const a = new MemorySource()
    const b = new MemorySource()
    a.add('archive', [...shared, ...onlyA])
    b.add('archive', [...shared, ...onlyB])
    const net = mesh({ a, b })
    net.advance(1_600)
    const fromA = events(net, 'a')
    const fromB = events(net, 'b')
    assert.ok(fromA.length >= 1 && fromB.length >= 1)
    for (const event of fromA) {
      assert.equal(event.peer, 'b')
      assert.equal(event.name, 'archive')
      assert.deepEqual(hexSet(event.have), hexSet(onlyA))
      assert.deepEqual(hexSet(event.need), hexSet(onlyB))
    }
    for (const event of fromB) {
      assert.deepEqual(hexSet(event.have), hexSet(onlyB))
      assert.deepEqual(hexSet(event.need), hexSet(onlyA))
    }
  })

  it('reconciles only the objects whose fingerprints differ', () => {
    const a = new MemorySource()
    const b = new MemorySource()
    for (const source of [a, b]) source.add('stats', ids(300, 5))
    a.add('archive', ids(300, 6))
    b.add('archive', [...ids(300, 6), ...ids(1, 7)])
    const net = mesh({ a, b })
    net.advance(1_600)
    const names = [...events(net, 'a'), ...events(net, 'b')].map((event) => event.name)
    assert.ok(names.length >= 2)
    assert.ok(names.every((name) => name === 'archive'))
    assert.ok(net.core('a').counters.objectsInSync + net.core('b').counters.objectsInSync >= 1)
  })

  it('three replicas converge when the layer above ships what each event says the peer lacks', () => {
    const random = new Random(8)
    const pool = ids(3_000, 9)
    const sources: Record<string, MemorySource> = {}
    for (const id of ['a', 'b', 'c']) {
      const source = new MemorySource()
      source.add(
        'archive',
        pool.filter(() => random.chance(0.95)),
      )
      source.add(
        'stats',
        pool.slice(0, 500).filter(() => random.chance(0.99)),
      )
      sources[id] = source
    }
    const net = mesh(sources)
    const bySource = new Map(Object.entries(sources))
    for (let step = 0; step < 30; step++) {
      net.advance(500)
      for (const id of net.cores.keys()) for (const event of events(net, id)) ship(event, bySource, id)
    }
    for (const name of ['archive', 'stats']) {
      const sets = Object.values(sources).map((source) => hexSet(source.items(name) ?? []))
      assert.deepEqual(sets[1], sets[0], name)
      assert.deepEqual(sets[2], sets[0], name)
    }
    assert.equal(hexSet(sources.a?.items('archive') ?? []).size, 3_000)
  })

  it('refuses messages from peers that are not neighbours', () => {
    const a = new MemorySource()
    a.add('archive', ids(10, 10))
    const ae = core('a', a, 1)
    ae.receive(0, 'stranger', {
      type: 'digest',
      session: 1,
      objects: [{ name: 'archive', fingerprint: new Uint8Array(16) }],
    })
    assert.deepEqual(ae.takeOutbox(), [])
    assert.equal(ae.rejections.get('stranger'), 1)
  })

  it('drops a session whose answers are lost after sessionTimeoutMs, and counts it', () => {
    const a = new MemorySource()
    const b = new MemorySource()
    a.add('archive', ids(100, 11))
    b.add('archive', ids(101, 11))
    const net = mesh({ a, b })
    net.allow = (from) => from !== 'b' // b's answers never arrive
    net.advance(6_000)
    assert.ok(net.core('a').counters.sessionsTimedOut >= 1)
    assert.equal(net.core('a').sessionCount <= config.maxInitiatedSessions, true)
  })

  it('holds at most maxSessions sessions and one answered session per peer, whatever peers send', () => {
    const a = new MemorySource()
    a.add('archive', ids(50, 12))
    const ae = core('a', a, 1, { maxSessions: 4 })
    const digest = (session: number): AntiEntropyMessage => ({
      type: 'digest',
      session,
      objects: [{ name: 'archive', fingerprint: new Uint8Array(16) }],
    })
    for (let peer = 0; peer < 10; peer++) ae.neighborUp(0, `p${peer}`)
    for (let session = 0; session < 20; session++) ae.receive(0, 'p0', digest(session))
    assert.equal(ae.sessionCount, 1)
    for (let peer = 1; peer < 10; peer++) ae.receive(0, `p${peer}`, digest(peer))
    assert.equal(ae.sessionCount, 4)
    assert.ok(ae.rejections.get('busy') >= 6)
  })

  it('gives an object up with an empty part when the peer sends a malformed reconciliation', () => {
    const a = new MemorySource()
    a.add('archive', ids(50, 13))
    const ae = core('a', a, 1)
    ae.neighborUp(0, 'b')
    ae.receive(0, 'b', {
      type: 'digest',
      session: 9,
      objects: [{ name: 'archive', fingerprint: new Uint8Array(16) }],
    })
    const answer = ae.takeOutbox()
    assert.equal(answer.length, 1)
    const garbage = [
      Uint8Array.of(1, 2, 3),
      encodeRbsrMessage({ salt: 1, fingerprintBytes: 4, entries: [], give: [], taken: [] }),
    ]
    for (const payload of garbage) {
      ae.receive(1, 'b', {
        type: 'reconcile',
        session: 9,
        fromInitiator: true,
        parts: [{ name: 'archive', payload }],
      })
    }
    const replies = ae.takeOutbox()
    assert.equal(replies.length, 1)
    const reply = replies[0]?.message
    assert.ok(reply?.type === 'reconcile' && reply.parts[0]?.payload.length === 0)
    assert.equal(ae.rejections.get('reconcile-refused'), 1)
    assert.equal(ae.rejections.get('unknown-session'), 1, 'the session ended with its only object')
  })

  it('ends the sessions with a neighbour that goes down', () => {
    const a = new MemorySource()
    a.add('archive', ids(50, 14))
    const ae = core('a', a, 1)
    ae.neighborUp(0, 'b')
    ae.receive(0, 'b', {
      type: 'digest',
      session: 3,
      objects: [{ name: 'archive', fingerprint: new Uint8Array(16) }],
    })
    assert.equal(ae.sessionCount, 1)
    ae.neighborDown(1, 'b')
    assert.equal(ae.sessionCount, 0)
    assert.equal(ae.counters.sessionsAborted, 1)
  })

  it('keeps the item index of an object whose fingerprint did not change', () => {
    const a = new MemorySource()
    const b = new MemorySource()
    a.add('archive', ids(400, 15))
    b.add('archive', [...ids(400, 15), ...ids(2, 16)])
    const net = mesh({ a, b })
    net.advance(10_000)
    const sessions = net.core('a').counters.sessionsCompleted
    assert.ok(sessions >= 5, `sessions: ${sessions}`)
    assert.equal(a.itemReads, 1)
  })

  it('schedules its next session within the jittered interval and never spins', () => {
    const ae = core('a', new MemorySource(), 1)
    const first = ae.nextDeadline() as number
    assert.ok(first >= 500 && first <= 1_500, `${first}`)
    ae.tick(first)
    const second = ae.nextDeadline() as number
    assert.ok(second - first >= 500 && second - first <= 1_500)
    assert.equal(ae.counters.roundsSkipped, 1, 'no neighbour: the round is skipped')
  })
})
