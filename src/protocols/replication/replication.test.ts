import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random, StandInSigner } from '../../kernel/index.ts'
import { antiEntropyConfig, rbsrConfig } from '../antientropy/index.ts'
import { type AwSet, GCounterMap, type PnCounterMap, type TopNMap } from '../crdt/index.ts'
import { sealBatch } from './batch.ts'
import { decodeReplicationMessage, encodeReplicationMessage } from './codec.ts'
import { type ReplicationConfig, replicationConfig } from './config.ts'
import { Replication } from './replication.ts'
import type { BatchReadyEvent, ReplicationMessage } from './types.ts'

function replica(self: string, overrides: Partial<ReplicationConfig> = {}, epoch = 1): Replication {
  return new Replication({
    self,
    now: 0,
    random: new Random(`replication/${self}`),
    signer: new StandInSigner(self),
    epoch,
    config: replicationConfig({ realm: 'test', ...overrides }),
    antiEntropy: antiEntropyConfig(),
    rbsr: rbsrConfig(),
  })
}

/** The batches `core` sealed by `now`. */
function batches(core: Replication, now: number): Uint8Array[] {
  core.tick(now)
  return core
    .takeEvents()
    .filter((event): event is BatchReadyEvent => event.type === 'BatchReady')
    .map((event) => event.payload)
}

describe('replication: batches', () => {
  it('batches local writes per interval, signs them, and a peer merges them to the same state', () => {
    const a = replica('a')
    const b = replica('b')
    a.create('jobs', { type: 'set' })
    a.create('archive', { type: 'topN', capacity: 2 })
    a.apply(0, 'jobs', { op: 'add', value: 'x' })
    a.apply(1, 'jobs', { op: 'add', value: 'y' })
    a.apply(2, 'archive', { op: 'offer', id: 'g1', rank: 5, value: Uint8Array.of(1) })
    assert.equal(a.nextDeadline(), 10, 'the batch leaves one interval after the first write')
    const sealed = batches(a, 10)
    assert.equal(sealed.length, 1, 'three writes to two objects, one batch')
    for (const payload of sealed) b.onBatch(20, 'a', payload)
    assert.deepEqual((b.objects.state('jobs') as AwSet).value(), ['x', 'y'])
    assert.equal((b.objects.state('archive') as TopNMap).get('g1')?.rank, 5)
    assert.deepEqual(b.objects.fingerprint('jobs'), a.objects.fingerprint('jobs'))
    assert.equal(b.counters.batchesMerged, 1)
    assert.equal(b.rejections.total, 0)
  })

  it('refuses and counts batches with a forged signature, another origin, realm, or time outside the window', () => {
    const a = replica('a')
    a.create('hits', { type: 'counter' })
    a.apply(0, 'hits', { op: 'inc', key: 'k', by: 3 })
    const [payload] = batches(a, 10)
    assert.ok(payload !== undefined)
    const b = replica('b')
    b.onBatch(20, 'c', payload) // delivered as c's broadcast, but sealed by a
    const forged = sealBatch(
      { realm: 'test', origin: 'a', epoch: 1, seq: 9, sealedAt: 20, deltas: [] },
      new StandInSigner('mallory'),
    )
    b.onBatch(20, 'a', forged)
    const otherRealm = replica('a', { realm: 'elsewhere' })
    otherRealm.create('hits', { type: 'counter' })
    otherRealm.apply(0, 'hits', { op: 'inc', key: 'k', by: 1 })
    b.onBatch(20, 'a', batches(otherRealm, 10)[0] as Uint8Array)
    b.onBatch(10 + 120_001, 'a', payload)
    b.onBatch(
      0,
      'a',
      sealBatch(
        { realm: 'test', origin: 'a', epoch: 1, seq: 2, sealedAt: 40_000, deltas: [] },
        new StandInSigner('a'),
      ),
    )
    b.onBatch(20, 'a', Uint8Array.of(1, 2, 3))
    assert.deepEqual(b.rejections.toJSON(), {
      'origin-mismatch': 1,
      'bad-signature': 1,
      'wrong-realm': 1,
      stale: 1,
      'from-the-future': 1,
      malformed: 1,
    })
    assert.equal(b.objects.state('hits'), undefined, 'nothing refused was merged')
  })

  it("refuses a signed delta that carries another node's writes (a counter raised near 2^53 in its name)", () => {
    const b = replica('b')
    const forged = new GCounterMap()
    forged.inc('victim:1', 'k', 2 ** 52)
    const payload = sealBatch(
      {
        realm: 'test',
        origin: 'mallory',
        epoch: 1,
        seq: 1,
        sealedAt: 0,
        deltas: [{ name: 'hits', delta: forged }],
      },
      new StandInSigner('mallory'),
    )
    b.onBatch(0, 'mallory', payload)
    assert.equal(b.rejections.get('foreign-actor'), 1)
    assert.equal(b.objects.state('hits'), undefined)
  })

  it('limits a flood from one origin without slowing another', () => {
    const b = replica('b', { originRatePerSecond: 10, originBurst: 5 })
    const sealFrom = (origin: string, seq: number): Uint8Array => {
      const writer = replica(origin)
      writer.create('hits', { type: 'counter' })
      writer.apply(0, 'hits', { op: 'inc', key: origin, by: seq })
      return batches(writer, 10)[0] as Uint8Array
    }
    for (let seq = 1; seq <= 50; seq++) b.onBatch(100, 'flooder', sealFrom('flooder', seq))
    b.onBatch(100, 'quiet', sealFrom('quiet', 1))
    assert.equal(b.rejections.get('rate-limited'), 45, 'the burst of 5 passed, the rest were refused')
    assert.equal((b.objects.state('hits') as PnCounterMap).get('quiet'), 1, "the other origin's batch merged")
  })

  it('keeps objects and entries within their limits whatever peers send', () => {
    const b = replica('b', { maxObjects: 2, crdt: { ...replicationConfig().crdt, maxEntries: 3 } })
    const a = replica('a')
    for (const name of ['o1', 'o2', 'o3']) a.create(name, { type: 'set' })
    // two batches of two elements each: the second would take the set past three
    for (const [at, values] of [
      [0, ['v1', 'v2']],
      [20, ['v3', 'v4']],
    ] as const) {
      for (const value of values) a.apply(at, 'o1', { op: 'add', value })
      for (const payload of batches(a, at + 10)) b.onBatch(at + 10, 'a', payload)
    }
    a.apply(40, 'o2', { op: 'add', value: 'v' })
    a.apply(40, 'o3', { op: 'add', value: 'v' })
    for (const payload of batches(a, 50)) b.onBatch(50, 'a', payload)
    assert.equal(b.objects.size, 2)
    assert.equal((b.objects.state('o1') as AwSet).size, 2)
    assert.equal(b.rejections.get('too-many-objects'), 1)
    assert.equal(b.rejections.get('too-many-entries'), 1, 'four elements do not fit a set of three')
    // a delta larger than the limit is refused by the decoder, and the batch with it
    for (const value of ['w1', 'w2', 'w3', 'w4']) a.apply(60, 'o1', { op: 'add', value })
    for (const payload of batches(a, 70)) b.onBatch(70, 'a', payload)
    assert.equal(b.rejections.get('malformed'), 1)
  })

  it('refuses an operation of the wrong type, an unknown object and a second type for one name', () => {
    const a = replica('a')
    a.create('jobs', { type: 'set' })
    assert.throws(
      () => a.apply(0, 'jobs', { op: 'inc', key: 'k', by: 1 }),
      /takes add or remove operations, not inc/,
    )
    assert.throws(() => a.apply(0, 'nope', { op: 'add', value: 'x' }), { code: 'NOT_FOUND' })
    assert.throws(() => a.create('jobs', { type: 'map' }), /exists as a set/)
    assert.throws(() => a.create('', { type: 'map' }), /1 to 256 bytes/)
  })
})

describe('replication: anti-entropy repairs', () => {
  it('two replicas that missed each other converge through anti-entropy alone', () => {
    const a = replica('a', {}, 1)
    const b = replica('b', {}, 1)
    for (const core of [a, b]) core.create('jobs', { type: 'set' })
    for (let i = 0; i < 50; i++) a.apply(0, 'jobs', { op: 'add', value: `a${i}` })
    for (let i = 0; i < 30; i++) b.apply(0, 'jobs', { op: 'add', value: `b${i}` })
    b.apply(0, 'jobs', { op: 'remove', value: 'b3' })
    // the batches are lost: only anti-entropy carries state between them
    a.tick(10)
    b.tick(10)
    a.takeEvents()
    b.takeEvents()
    a.neighborUp(10, 'b')
    b.neighborUp(10, 'a')
    const cores = new Map([
      ['a', a],
      ['b', b],
    ])
    let now = 10
    for (
      let step = 0;
      step < 200 && a.objects.fingerprint('jobs').join() !== b.objects.fingerprint('jobs').join();
      step++
    ) {
      now += 100
      for (const [self, core] of cores) {
        if ((core.nextDeadline() ?? Infinity) <= now) core.tick(now)
        for (const { to, message } of core.takeOutbox()) {
          const wire = decodeReplicationMessage(encodeReplicationMessage(message), WIRE)
          assert.ok(wire.ok)
          cores.get(to)?.receive(now, self, wire.value)
        }
        core.takeEvents()
      }
    }
    assert.deepEqual(a.objects.fingerprint('jobs'), b.objects.fingerprint('jobs'))
    assert.equal((a.objects.state('jobs') as AwSet).size, 79)
    assert.ok(a.counters.repairsMerged > 0 && b.counters.repairsMerged > 0)
  })

  it('refuses repairs from a peer that is not a neighbour', () => {
    const a = replica('a')
    const stranger = new GCounterMap()
    stranger.inc('s:1', 'k', 1)
    a.receive(0, 'stranger', { type: 'items', name: 'hits', state: new Uint8Array([5, 1, 0]) })
    assert.equal(a.rejections.get('not-a-neighbor'), 1)
    assert.equal(a.objects.state('hits'), undefined)
  })
})

const WIRE = {
  antiEntropy: {
    maxDigestObjects: 1_024,
    maxNameBytes: 256,
    maxParts: 64,
    maxPayloadBytes: 65_536,
    maxFrameBytes: 1_048_576,
  },
  maxNameBytes: 256,
  maxFrameBytes: 1_048_576,
}

describe('replication: wire codec', () => {
  it('random and mutated frames never throw', () => {
    const sample: ReplicationMessage = { type: 'items', name: 'jobs', state: Uint8Array.of(1, 1, 0, 0, 0) }
    const good = encodeReplicationMessage(sample)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(good.length), (noise, at) => {
        decodeReplicationMessage(noise, WIRE)
        const mutated = good.slice()
        mutated[at % mutated.length] = (noise[0] ?? 0) as number
        decodeReplicationMessage(mutated, WIRE)
        const b = replica('b')
        b.onBatch(0, 'x', noise)
        return true
      }),
      { numRuns: 2_000 },
    )
  })
})
