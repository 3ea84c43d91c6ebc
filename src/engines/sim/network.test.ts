import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { type NetworkOptions, SimNetwork } from './network.ts'

const calm: NetworkOptions = {
  latency: { minMs: 5, maxMs: 20, jitterMs: 1 },
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
}

function network(seed: number, overrides: Partial<NetworkOptions> = {}): SimNetwork {
  return new SimNetwork(new Random(seed), { ...calm, ...overrides })
}

/** Sends `count` messages over random links of 100 nodes and returns every delay produced, in order. */
function traffic(net: SimNetwork, count: number, seed = 7): number[][] {
  const pick = new Random(seed)
  const out: number[] = []
  const fates: number[][] = []
  for (let i = 0; i < count; i++) {
    net.deliveries(pick.intBelow(100), pick.intBelow(100), out)
    fates.push(out.slice())
  }
  return fates
}

describe('SimNetwork', () => {
  it('produces the same fates and latencies for the same seed and different ones for another seed', () => {
    const options = { lossRate: 0.1, duplicateRate: 0.05, reorderRate: 0.1 }
    const first = traffic(network(42, options), 2000)
    const again = traffic(network(42, options), 2000)
    const other = traffic(network(43, options), 2000)
    assert.deepEqual(again, first)
    assert.notDeepEqual(other, first)
  })

  it('gives each link one base latency, the same both ways, within [minMs, maxMs]', () => {
    const net = network(1)
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (a, b) => {
        const base = net.baseLatencyMs(a, b)
        assert.equal(net.baseLatencyMs(b, a), base)
        assert.equal(network(1).baseLatencyMs(a, b), base, 'a new network with the same seed agrees')
        assert.ok(base >= 5 && base <= 20)
      }),
    )
  })

  it('spreads base latencies uniformly over the range across a million-node id space', () => {
    const net = network(9)
    const pick = new Random(3)
    const buckets = new Array<number>(5).fill(0)
    const samples = 50_000
    for (let i = 0; i < samples; i++) {
      const base = net.baseLatencyMs(pick.intBelow(1_000_000), pick.intBelow(1_000_000))
      const bucket = Math.min(4, Math.floor((base - 5) / 3))
      buckets[bucket] = (buckets[bucket] ?? 0) + 1
    }
    for (const count of buckets)
      assert.ok(Math.abs(count / samples - 0.2) < 0.01, `bucket share ${count / samples}`)
  })

  it('adds jitter above the base only, and keeps per-message draws from moving link latencies', () => {
    const net = network(5, { latency: { minMs: 5, maxMs: 20, jitterMs: 2 } })
    const out: number[] = []
    const base = net.baseLatencyMs(3, 4)
    let sum = 0
    for (let i = 0; i < 5000; i++) {
      assert.equal(net.deliveries(3, 4, out), 1)
      const delay = out[0] as number
      assert.ok(delay >= base)
      sum += delay - base
    }
    // E|N(0,1)| = √(2/π) ≈ 0.798, so the mean extra delay is ≈ 1.6 ms at jitter 2 ms
    assert.ok(Math.abs(sum / 5000 - 2 * Math.sqrt(2 / Math.PI)) < 0.1)
    assert.equal(net.baseLatencyMs(3, 4), base)
  })

  it('loses close to lossRate of the copies (10 % of 20,000 within ±1 %)', () => {
    const net = network(11, { lossRate: 0.1 })
    traffic(net, 20_000)
    assert.equal(net.sent, 20_000)
    assert.ok(Math.abs(net.lost / 20_000 - 0.1) < 0.01, `lost ${net.lost}`)
    assert.equal(net.delivered + net.lost, 20_000)
  })

  it('duplicates close to duplicateRate of the messages and accounts for every copy', () => {
    const net = network(12, { duplicateRate: 0.05, lossRate: 0.1 })
    const fates = traffic(net, 20_000)
    assert.ok(Math.abs(net.duplicated / 20_000 - 0.05) < 0.006, `duplicated ${net.duplicated}`)
    assert.ok(fates.some((fate) => fate.length === 2))
    assert.equal(net.sent - net.droppedByPartition + net.duplicated, net.delivered + net.lost)
  })

  it('holds back about reorderRate of the copies by up to five times base plus jitter', () => {
    const net = network(13, { reorderRate: 0.1, latency: { minMs: 10, maxMs: 10, jitterMs: 0 } })
    const fates = traffic(net, 10_000)
    const late = fates.filter((fate) => (fate[0] as number) > 10).length
    assert.ok(Math.abs(late / 10_000 - 0.1) < 0.01, `reordered ${late}`)
    assert.ok(fates.every((fate) => (fate[0] as number) <= 10 + 5 * 10))
  })

  it('drops every message between groups of a symmetric partition, in both directions', () => {
    const net = network(2)
    const out: number[] = []
    net.partition((node) => (node < 50 ? 0 : 1), 'symmetric')
    assert.equal(net.deliveries(1, 2, out), 1)
    assert.equal(net.deliveries(1, 60, out), 0)
    assert.equal(net.deliveries(60, 1, out), 0)
    assert.equal(net.deliveries(60, 70, out), 1)
    assert.equal(net.droppedByPartition, 2)
    assert.equal(out.length, 1)
  })

  it('drops only messages from a lower group to a higher one in an asymmetric partition', () => {
    const net = network(2)
    const out: number[] = []
    net.partition((node) => node % 3, 'asymmetric')
    assert.equal(net.deliveries(0, 1, out), 0, 'group 0 → group 1 is cut')
    assert.equal(net.deliveries(1, 2, out), 0, 'group 1 → group 2 is cut')
    assert.equal(net.deliveries(2, 0, out), 1, 'group 2 → group 0 still arrives')
    assert.equal(net.deliveries(1, 0, out), 1, 'group 1 → group 0 still arrives')
    assert.equal(net.deliveries(3, 6, out), 1, 'inside one group arrives')
    assert.equal(net.reachable(0, 1), false)
    assert.equal(net.reachable(1, 0), true)
  })

  it('restores every link when the partition heals', () => {
    const net = network(2)
    const out: number[] = []
    net.partition((node) => node, 'symmetric')
    assert.equal(net.partitioned, true)
    assert.equal(net.deliveries(1, 2, out), 0)
    net.heal()
    assert.equal(net.partitioned, false)
    for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) assert.equal(net.deliveries(a, b, out), 1)
  })

  it('cuts an isolated node off in both directions until it is restored, independently of heal', () => {
    const net = network(2)
    const out: number[] = []
    net.isolate(7, true)
    assert.equal(net.deliveries(7, 1, out), 0)
    assert.equal(net.deliveries(1, 7, out), 0)
    assert.equal(net.deliveries(1, 2, out), 1)
    net.heal()
    assert.equal(net.isIsolated(7), true)
    assert.equal(net.deliveries(1, 7, out), 0)
    net.isolate(7, false)
    assert.equal(net.deliveries(1, 7, out), 1)
  })

  it('stops losing messages once the fault rates are set to zero', () => {
    const net = network(3, { lossRate: 0.5, duplicateRate: 0.5, reorderRate: 0.5 })
    traffic(net, 1000)
    net.setFaultRates({ lossRate: 0, duplicateRate: 0, reorderRate: 0 })
    const before = { lost: net.lost, duplicated: net.duplicated }
    traffic(net, 1000)
    assert.deepEqual({ lost: net.lost, duplicated: net.duplicated }, before)
  })

  it('rejects rates outside [0, 1] and latency bounds out of order', () => {
    assert.throws(() => network(1, { lossRate: 1.5 }), RangeError)
    assert.throws(() => network(1, { reorderRate: -0.1 }), RangeError)
    assert.throws(() => network(1, { latency: { minMs: 10, maxMs: 5, jitterMs: 0 } }), RangeError)
    assert.throws(() => network(1).setFaultRates({ duplicateRate: Number.NaN }), RangeError)
  })
})
