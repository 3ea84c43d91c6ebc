/**
 * What remote publishers can make a node hold. Every publication here is correctly signed (anyone can
 * sign for any id with the stand-in signer, as anyone can make ed25519 keys), so the bounds, not the
 * signature check, are what stands between a flood and the node's memory.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random, StandInSigner } from '../../kernel/index.ts'
import { encodeSignedPublication } from './codec.ts'
import { bytes, core, deliver, TOPIC, taken } from './testing/fixtures.ts'

/** A correctly signed publication of `publisher` on TOPIC. */
function signed(publisher: string, seq: number, payload = bytes('x'), epoch = 1): Uint8Array {
  return encodeSignedPublication(
    { topic: TOPIC, publisher, epoch, seq },
    payload,
    new StandInSigner(publisher),
  )
}

describe('pub/sub bounds', () => {
  it('tracks at most maxPublishersPerTopic under a flood of invented publishers, forgetting the least recently heard', () => {
    const receiver = core('me', { maxPublishersPerTopic: 16 })
    receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', signed('alice', 1))
    // each invented publisher's seq 1 is delivered and its seq 3 held back, waiting for seq 2
    for (let i = 0; i < 1_000; i++) {
      deliver(receiver, 1 + i, `sybil-${i}`, signed(`sybil-${i}`, 1))
      deliver(receiver, 1 + i, `sybil-${i}`, signed(`sybil-${i}`, 3))
    }
    assert.equal(receiver.publisherCount, 16)
    assert.equal(receiver.heldCount, 16)
    assert.equal(receiver.counters.publishersEvicted, 1_000 + 1 - 16)
    const { received, gaps } = taken(receiver)
    // alice went first (least recently heard), then each sybil in turn, letting its held publication go
    assert.deepEqual(
      received.slice(0, 4).map((event) => `${event.publisher}/${event.seq}`),
      ['alice/1', 'sybil-0/1', 'sybil-1/1', 'sybil-2/1'],
    )
    assert.equal(
      received.filter((event) => event.publisher === 'sybil-0').length,
      2,
      'sybil-0 let its seq 3 go when it was forgotten',
    )
    assert.equal(gaps.length, 1_000 - 16)
    assert.ok(gaps.every((gap) => gap.reason === 'evicted' && gap.fromSeq === 2 && gap.toSeq === 2))
  })

  it('holds at most maxBufferedPerPublisher behind a gap, however far the sequence numbers jump', () => {
    const receiver = core('me', { maxBufferedPerPublisher: 8 })
    receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', signed('alice', 1))
    const far = 2 ** 50
    const seqs = Array.from({ length: 100 }, (_, i) => far + i * 1_000)
    new Random(3).shuffle(seqs)
    let most = 0
    for (const seq of seqs) {
      deliver(receiver, 1, 'alice', signed('alice', seq))
      most = Math.max(most, receiver.heldCount)
    }
    assert.equal(most, 8)
    const delivered = taken(receiver).received.map((event) => event.seq)
    assert.ok(
      delivered.every((seq, i) => i === 0 || seq > (delivered[i - 1] as number)),
      'still in order',
    )
    assert.ok(receiver.counters.gapsSkipped > 0)
    // each publication is delivered, still held, or arrived behind a gap skipped to make room
    assert.equal(delivered.length + receiver.heldCount + receiver.counters.late, 101)
  })

  it('holds at most maxBufferedTotal publications and maxBufferedBytes over all publishers', () => {
    const receiver = core('me', { maxBufferedTotal: 50, maxBufferedBytes: 4_000 })
    receiver.subscribe(TOPIC)
    // forty publishers, each heard from at seq 1, then with seq 2 missing
    for (let p = 0; p < 40; p++) deliver(receiver, 0, `p${p}`, signed(`p${p}`, 1))
    let mostHeld = 0
    let mostBytes = 0
    for (let i = 0; i < 200; i++) {
      const payload = new Uint8Array(i % 3 === 0 ? 300 : 10)
      deliver(receiver, i, `p${i % 40}`, signed(`p${i % 40}`, 3 + Math.floor(i / 40), payload))
      mostHeld = Math.max(mostHeld, receiver.heldCount)
      mostBytes = Math.max(mostBytes, receiver.heldBytes)
    }
    assert.ok(mostHeld <= 50, `${mostHeld} held`)
    assert.ok(mostBytes <= 4_000, `${mostBytes} bytes held`)
    assert.ok(taken(receiver).gaps.some((gap) => gap.reason === 'overflow'))
  })

  it('remembers at most dedupeCapacity publication ids', () => {
    const receiver = core('me', { dedupeCapacity: 32 })
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    for (let seq = 1; seq <= 100; seq++) deliver(receiver, seq, 'alice', signed('alice', seq))
    assert.equal(receiver.dedupeEvicted, 100 - 32)
    assert.equal(taken(receiver).received.length, 100)
  })

  it('keeps no per-publisher state for topics it does not subscribe to, nor for as-arrives ones', () => {
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    for (let i = 0; i < 100; i++) deliver(receiver, i, `p${i}`, signed(`p${i}`, 5))
    const elsewhere = encodeSignedPublication(
      { topic: 'other', publisher: 'q', epoch: 1, seq: 1 },
      bytes('x'),
      new StandInSigner('q'),
    )
    deliver(receiver, 100, 'q', elsewhere)
    assert.equal(receiver.publisherCount, 0)
    assert.equal(receiver.counters.unsubscribed, 1)
  })
})
