/**
 * Remote input cannot grow the overlay's state or steer it: ids a peer merely names land only in the
 * bounded passive view, walks from strangers are refused, TTLs are clamped, and any sequence of
 * messages from any senders leaves every bound and invariant intact without throwing.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { type NodeId, Random } from '../../kernel/index.ts'
import { overlayConfig } from './config.ts'
import { Overlay } from './overlay.ts'
import type { OverlayMessage } from './types.ts'

const config = overlayConfig('lan')

function victim(): Overlay {
  return new Overlay({ self: 'victim', config, random: new Random('made-up-ids'), now: 0 })
}

/** A victim with `friend` as its one neighbour. */
function befriended(): Overlay {
  const core = victim()
  core.receive(0, 'friend', { type: 'neighbor', priority: 'high', long: true })
  core.takeOutbox()
  return core
}

describe('overlay under made-up ids', () => {
  it('keeps the 1,300,000 ids named in 20,000 walks and shuffles to its passive view, never its active view', () => {
    const core = befriended()
    let sentToInvented = 0
    for (let i = 0; i < 20_000; i++) {
      const now = i / 10
      core.receive(now, 'friend', { type: 'forward-join', newNode: `walk-${i}`, ttl: i % 7 })
      const sample = Array.from({ length: 64 }, (_, k) => `shuffled-${i}-${k}`)
      core.receive(now, 'friend', { type: 'shuffle', origin: `origin-${i}`, ttl: 1, sample })
      core.tick(now)
      sentToInvented += core.takeOutbox().filter(({ to }) => to !== 'friend').length
      core.takeEvents()
    }
    assert.deepEqual(core.activeView(), ['friend'])
    assert.ok(core.passiveView().length <= config.passiveViewSize)
    assert.ok(core.handshakesInFlight <= config.activeViewSize + 3)
    // one shuffle reply per shuffle and one NEIGHBOR per walk that ended here, bounded by the handshake table
    assert.ok(sentToInvented <= 2 * 20_000, `${sentToInvented} messages to invented ids`)
  })

  it('refuses walks and shuffles from strangers, and shuffle replies nobody asked for', () => {
    const core = befriended()
    core.receive(1, 'stranger', { type: 'forward-join', newNode: 'x', ttl: 0 })
    core.receive(1, 'stranger', { type: 'shuffle', origin: 'y', ttl: 0, sample: ['z'] })
    core.receive(1, 'stranger', { type: 'shuffle-reply', sample: ['w'] })
    assert.deepEqual(core.takeOutbox(), [])
    assert.deepEqual(core.passiveView(), [])
    assert.equal(core.stats.rejectedNotNeighbor, 2)
    assert.equal(core.stats.rejectedUnexpectedReply, 1)
  })

  it('clamps a walk TTL from the wire to its own walk length', () => {
    const core = befriended()
    core.receive(0, 'other', { type: 'neighbor', priority: 'high', long: true })
    core.takeOutbox()
    core.receive(1, 'friend', { type: 'forward-join', newNode: 'joiner', ttl: 255 })
    core.receive(1, 'friend', { type: 'shuffle', origin: 'origin', ttl: 255, sample: [] })
    const ttls = core
      .takeOutbox()
      .map(({ message }) => ('ttl' in message ? message.ttl : -1))
      .filter((ttl) => ttl >= 0)
    assert.deepEqual(ttls, [config.activeRandomWalkLength - 1, config.activeRandomWalkLength - 1])
  })

  it('keeps every bound and invariant under any sequence of messages from any senders', () => {
    const senders = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'victim']
    const named = fc.constantFrom('victim', 'p0', 'p3', 'ghost-0', 'ghost-1', 'ghost-2', 'ghost-3')
    const message: fc.Arbitrary<OverlayMessage> = fc.oneof(
      fc.constant({ type: 'join' } as const),
      fc.record({ type: fc.constant('forward-join' as const), newNode: named, ttl: fc.nat(255) }),
      fc.record({
        type: fc.constant('neighbor' as const),
        priority: fc.constantFrom('high' as const, 'low' as const),
        long: fc.boolean(),
      }),
      fc.record({ type: fc.constant('neighbor-reply' as const), accepted: fc.boolean() }),
      fc.record({ type: fc.constant('disconnect' as const), leaving: fc.boolean() }),
      fc.record({
        type: fc.constant('shuffle' as const),
        origin: named,
        ttl: fc.nat(255),
        sample: fc.array(named, { maxLength: 64 }),
      }),
      fc.record({ type: fc.constant('shuffle-reply' as const), sample: fc.array(named, { maxLength: 64 }) }),
      fc.record({ type: fc.constant('ping' as const), nonce: fc.nat(), neighbor: fc.boolean() }),
      fc.record({ type: fc.constant('pong' as const), nonce: fc.nat() }),
      fc.record({
        type: fc.constant('optimize' as const),
        old: named,
        rttMs: fc.nat(1_000),
        oldRttMs: fc.nat(1_000),
      }),
      fc.record({
        type: fc.constant('replace' as const),
        initiator: named,
        old: named,
        budgetMs: fc.nat(1_000),
      }),
      fc.record({ type: fc.constant('replace-reply' as const), accepted: fc.boolean() }),
      fc.record({ type: fc.constant('switch' as const), initiator: named, long: fc.boolean() }),
      fc.record({
        type: fc.constant('switch-reply' as const),
        accepted: fc.boolean(),
        long: fc.boolean(),
      }),
    )
    const step = fc.record({
      from: fc.constantFrom(...senders),
      message,
      advanceMs: fc.nat(3_000),
      hint: fc.constantFrom('none', 'none', 'none', 'connection-lost', 'seeds', 'member-failed'),
    })
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 200, size: 'max' }), (steps) => {
        const core = victim()
        let now = 0
        for (const { from, message: input, advanceMs, hint } of steps) {
          now += advanceMs
          core.receive(now, from, input)
          if (hint === 'connection-lost') core.connectionLost(now, from)
          if (hint === 'seeds') core.join(now, [from])
          if (hint === 'member-failed') core.peerGone(now, from, 'member-failed')
          const deadline = core.nextDeadline()
          if (deadline !== undefined && deadline <= now) core.tick(now)
          const outbox = core.takeOutbox()
          core.takeEvents()
          // an input's answer (a JOIN's: the reply, a ping, a walk per other neighbour) and the round of
          // the tick it may coincide with (a ping per neighbour, the passive peers one round probes, a
          // request or two): a small constant, never proportional to what a peer names
          const bound = config.activeViewSize + config.passiveScanLength + 4
          assert.ok(outbox.length <= bound, `${outbox.length} messages for one input`)
          const active = core.activeView()
          const passive = core.passiveView()
          assert.ok(active.length <= config.activeViewSize)
          assert.ok(passive.length <= config.passiveViewSize)
          assert.ok(core.handshakesInFlight <= config.activeViewSize + 3)
          assert.ok(!active.includes('victim') && !passive.includes('victim'), 'never itself')
          assert.ok(
            active.every((id: NodeId) => senders.includes(id)),
            'only a node that spoke to us becomes a neighbour',
          )
          assert.ok(!active.some((id) => passive.includes(id)), 'the views are disjoint')
          assert.ok(core.longLinkCount <= active.length)
        }
      }),
      { numRuns: 300 },
    )
  })
})
