import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LINK_MODELS } from '../../node/index.ts'
import { LinkShaper } from './link-shaper.ts'

/** A link that does nothing, for tests to change one field of. */
const still = { minDelayMs: 0, maxDelayMs: 0, jitterMs: 0, lossRate: 0, bandwidthBytesPerSecond: 0 }

describe('link shaper', () => {
  it('passes frames untouched when no shape is set', () => {
    assert.deepEqual(new LinkShaper('s').decide('p', 100, 0), { drop: false, delayMs: 0 })
  })

  it('drops close to the configured loss rate, and repeats exactly for the same seed', () => {
    const run = (): boolean[] => {
      const shaper = new LinkShaper('seed')
      shaper.set({ ...still, lossRate: 0.1 })
      return Array.from({ length: 10_000 }, (_, i) => shaper.decide('p', 10, i).drop)
    }
    const first = run()
    assert.deepEqual(first, run())
    const losses = first.filter(Boolean).length
    assert.ok(losses > 850 && losses < 1_150, `${losses} losses`)
  })

  it('delays by at least the base delay and keeps each peer in order despite jitter', () => {
    const shaper = new LinkShaper('order')
    shaper.set({ ...still, minDelayMs: 50, maxDelayMs: 50, jitterMs: 20 })
    let lastDeparture = 0
    for (let now = 0; now < 100; now++) {
      const decision = shaper.decide('p', 10, now)
      assert.ok(!decision.drop)
      assert.ok(decision.delayMs >= 50)
      assert.ok(now + decision.delayMs >= lastDeparture, 'no frame overtakes an earlier one')
      lastDeparture = now + decision.delayMs
    }
  })

  it('caps bandwidth: a burst queues behind itself', () => {
    const shaper = new LinkShaper('bw')
    shaper.set({ ...still, bandwidthBytesPerSecond: 1_000 })
    const delays = [0, 1, 2].map(() => {
      const decision = shaper.decide('p', 500, 0)
      return decision.drop ? -1 : decision.delayMs
    })
    assert.deepEqual(delays, [500, 1_000, 1_500])
  })

  it('gives each peer a fixed base delay within the range of its shape', () => {
    const shaper = new LinkShaper('range')
    shaper.set({ ...still, minDelayMs: 10, maxDelayMs: 100 })
    const bases = ['a', 'b', 'c', 'd', 'e', 'f'].map((peer) => {
      const first = shaper.decide(peer, 1, 0)
      const later = shaper.decide(peer, 1, 1_000)
      assert.ok(!first.drop && !later.drop)
      assert.equal(later.delayMs, first.delayMs, 'the same peer keeps its delay')
      return first.delayMs
    })
    assert.ok(
      bases.every((delay) => delay >= 10 && delay <= 100),
      bases.join(', '),
    )
    assert.ok(new Set(bases).size > 1, 'peers get different delays')
  })

  it('refuses a range whose maximum is below its minimum', () => {
    assert.throws(() => new LinkShaper('r').set({ ...still, minDelayMs: 5, maxDelayMs: 1 }), /maxDelayMs/)
  })

  it('shapes only the listed peers when a peer list is given', () => {
    const shaper = new LinkShaper('peers')
    shaper.set({ ...LINK_MODELS.wan, peers: ['a'] })
    assert.deepEqual(shaper.decide('b', 10, 0), { drop: false, delayMs: 0 })
  })

  it('refuses impossible shapes with the field named', () => {
    const shaper = new LinkShaper('bad')
    assert.throws(() => shaper.set({ ...still, minDelayMs: -1 }), /minDelayMs/)
    assert.throws(() => shaper.set({ ...still, lossRate: 2 }), /lossRate/)
  })
})
