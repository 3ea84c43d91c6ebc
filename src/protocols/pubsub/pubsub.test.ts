import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError, type NodeId, type Signer, StandInSigner } from '../../kernel/index.ts'
import { decodePublication, encodePublication, encodeSignedPublication } from './codec.ts'
import { DEFAULT_PUBSUB_CONFIG } from './config.ts'
import { bytes, core, deliver, publisher, seqsBySubscription, TOPIC, taken } from './testing/fixtures.ts'

const GAP_MS = DEFAULT_PUBSUB_CONFIG.gapTimeoutMs

describe('pub/sub delivery modes', () => {
  it('delivers an ordered subscription each publisher’s publications in sequence, whatever order they arrive in', () => {
    const alice = publisher('alice').publish(4)
    const bob = publisher('bob').publish(2)
    const receiver = core('me')
    const sub = receiver.subscribe(TOPIC, { delivery: 'ordered' })
    for (const [envelope, origin] of [
      [alice[2], 'alice'],
      [bob[1], 'bob'],
      [alice[0], 'alice'],
      [alice[3], 'alice'],
      [bob[0], 'bob'],
      [alice[1], 'alice'],
    ] as const) {
      deliver(receiver, 10, origin, envelope as Uint8Array)
    }
    const { received, gaps } = taken(receiver)
    const byPublisher = (who: NodeId): number[] =>
      received.filter((event) => event.publisher === who).map((event) => event.seq)
    assert.deepEqual(byPublisher('alice'), [1, 2, 3, 4])
    assert.deepEqual(byPublisher('bob'), [1, 2])
    assert.ok(received.every((event) => event.subscription === sub && event.topic === TOPIC))
    assert.deepEqual(gaps, [])
    assert.equal(receiver.heldCount, 0)
    assert.equal(receiver.nextDeadline(), undefined)
  })

  it('skips a gap gapTimeoutMs after a later publication arrived, says so once, and refuses the missing one later', () => {
    const alice = publisher('alice').publish(4)
    const receiver = core('me')
    const sub = receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', alice[0] as Uint8Array)
    deliver(receiver, 100, 'alice', alice[2] as Uint8Array)
    deliver(receiver, 200, 'alice', alice[3] as Uint8Array)
    assert.deepEqual(
      taken(receiver).received.map((event) => event.seq),
      [1],
    )
    assert.equal(receiver.nextDeadline(), 100 + GAP_MS, 'the wait starts when seq 2 was known missing')
    receiver.tick(100 + GAP_MS - 1)
    assert.equal(taken(receiver).received.length, 0, 'not before the timeout')
    receiver.tick(100 + GAP_MS)
    const { received, gaps } = taken(receiver)
    assert.deepEqual(
      received.map((event) => event.seq),
      [3, 4],
    )
    assert.equal(gaps.length, 1)
    assert.deepEqual(
      { ...gaps[0], at: 0 },
      {
        type: 'GapSkipped',
        at: 0,
        subscription: sub,
        topic: TOPIC,
        publisher: 'alice',
        epoch: 1_000,
        fromSeq: 2,
        toSeq: 2,
        reason: 'timeout',
      },
    )
    assert.equal(receiver.counters.gapsSkipped, 1)
    deliver(receiver, 200 + GAP_MS, 'alice', alice[1] as Uint8Array)
    assert.equal(
      taken(receiver).received.length,
      0,
      'the skipped publication is never delivered out of order',
    )
    assert.equal(receiver.counters.late, 1)
  })

  it('waits for each gap from the moment a publication behind it arrived', () => {
    const alice = publisher('alice').publish(6)
    const receiver = core('me')
    receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', alice[5] as Uint8Array) // seq 6: 1 to 5 are missing from now on
    deliver(receiver, 50, 'alice', alice[2] as Uint8Array) // seq 3
    receiver.tick(GAP_MS)
    const { received, gaps } = taken(receiver)
    // both gaps (1–2 and 4–5) were known since t = 0, so both are skipped at once
    assert.deepEqual(
      received.map((event) => event.seq),
      [3, 6],
    )
    assert.deepEqual(
      gaps.map((gap) => [gap.fromSeq, gap.toSeq]),
      [
        [1, 2],
        [4, 5],
      ],
    )
  })

  it('tells a late start apart from a loss: the gap before the first publication heard is before-first', () => {
    const alice = publisher('alice').publish(5)
    const receiver = core('me')
    receiver.subscribe(TOPIC)
    // subscribed after alice's first three: nothing says whether they were published before or lost
    deliver(receiver, 0, 'alice', alice[4] as Uint8Array)
    deliver(receiver, 10, 'alice', alice[3] as Uint8Array)
    receiver.tick(GAP_MS)
    const { received, gaps } = taken(receiver)
    assert.deepEqual(
      received.map((event) => event.seq),
      [4, 5],
    )
    assert.deepEqual(
      gaps.map((gap) => [gap.fromSeq, gap.toSeq, gap.reason]),
      [[1, 3, 'before-first']],
    )
    assert.equal(receiver.counters.lateStarts, 1)
    assert.equal(receiver.counters.gapsSkipped, 0, 'not counted as a loss')
  })

  it('lets a restarted publisher’s earlier life go in order and follows its new epoch from seq 1', () => {
    const firstLife = publisher('alice', 1_000).publish(3)
    const secondLife = publisher('alice', 9_000).publish(2)
    const receiver = core('me')
    receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', firstLife[0] as Uint8Array)
    deliver(receiver, 1, 'alice', firstLife[2] as Uint8Array)
    deliver(receiver, 2, 'alice', secondLife[0] as Uint8Array)
    deliver(receiver, 3, 'alice', firstLife[1] as Uint8Array)
    deliver(receiver, 4, 'alice', secondLife[1] as Uint8Array)
    const { received, gaps } = taken(receiver)
    assert.deepEqual(
      received.map((event) => `${event.epoch}/${event.seq}`),
      ['1000/1', '1000/3', '9000/1', '9000/2'],
    )
    assert.deepEqual(
      gaps.map((gap) => [gap.epoch, gap.fromSeq, gap.toSeq, gap.reason]),
      [[1_000, 2, 2, 'restarted']],
    )
    assert.equal(receiver.counters.stale, 1, 'the earlier life’s late publication')
  })

  it('never delivers a latest-only subscription a publication older than one it delivered', () => {
    const alice = publisher('alice').publish(5)
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'latest-only' })
    for (const index of [1, 0, 3, 2, 4]) deliver(receiver, index, 'alice', alice[index] as Uint8Array)
    assert.deepEqual(
      taken(receiver).received.map((event) => event.seq),
      [2, 4, 5],
    )
    assert.equal(receiver.counters.superseded, 2)
    assert.equal(receiver.nextDeadline(), undefined, 'latest-only never waits')
  })

  it('delivers an as-arrives subscription each publication once, in arrival order', () => {
    const alice = publisher('alice').publish(4)
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    for (const index of [3, 1, 3, 0, 1, 2]) deliver(receiver, index, 'alice', alice[index] as Uint8Array)
    assert.deepEqual(
      taken(receiver).received.map((event) => event.seq),
      [4, 2, 1, 3],
    )
    assert.equal(receiver.counters.duplicates, 2)
  })

  it('serves subscriptions of every mode on one topic, each by its own rule', () => {
    const alice = publisher('alice').publish(3)
    const receiver = core('me')
    const ordered = receiver.subscribe(TOPIC, { delivery: 'ordered' })
    const latest = receiver.subscribe(TOPIC, { delivery: 'latest-only' })
    const asArrives = receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    for (const index of [2, 0, 1]) deliver(receiver, index, 'alice', alice[index] as Uint8Array)
    const seqs = seqsBySubscription(taken(receiver).received)
    assert.deepEqual(seqs.get(ordered), [1, 2, 3])
    assert.deepEqual(seqs.get(latest), [3])
    assert.deepEqual(seqs.get(asArrives), [3, 1, 2])
  })

  it('delivers nothing to a subscription after it ends, and forgets a topic with no subscription left', () => {
    const alice = publisher('alice').publish(3)
    const receiver = core('me')
    const sub = receiver.subscribe(TOPIC)
    deliver(receiver, 0, 'alice', alice[1] as Uint8Array) // held, waiting for seq 1
    assert.equal(receiver.heldCount, 1)
    assert.equal(receiver.unsubscribe(sub), true)
    assert.equal(receiver.unsubscribe(sub), false)
    assert.equal(receiver.heldCount, 0)
    assert.equal(receiver.counters.heldDropped, 1)
    assert.equal(receiver.topicCount, 0)
    deliver(receiver, 1, 'alice', alice[0] as Uint8Array)
    assert.deepEqual(taken(receiver).received, [])
    assert.equal(receiver.counters.unsubscribed, 1)
    assert.equal(receiver.nextDeadline(), undefined)
  })
})

describe('pub/sub authenticity', () => {
  it('drops a duplicate before checking any signature, and checks each publication once', () => {
    const alice = publisher('alice').publish(2)
    // the stand-in signer, counting its checks
    const inner = new StandInSigner('me')
    let verifications = 0
    const signer: Signer = {
      sign: (data) => inner.sign(data),
      verify: (who, data, signature) => {
        verifications++
        return inner.verify(who, data, signature)
      },
    }
    const receiver = core('me', {}, 0, signer)
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    for (let copy = 0; copy < 5; copy++)
      for (const envelope of alice) deliver(receiver, copy, 'alice', envelope)
    assert.equal(taken(receiver).received.length, 2)
    assert.equal(verifications, 2)
    assert.equal(receiver.counters.duplicates, 8)
  })

  it('refuses a publication altered after signing, and a forged copy does not make the real one a duplicate', () => {
    const [envelope] = publisher('alice').publish(1)
    const decoded = decodePublication(envelope as Uint8Array, DEFAULT_PUBSUB_CONFIG)
    assert.ok(decoded.ok)
    const altered = encodePublication({ ...decoded.value.publication, payload: bytes('pay mallory') })
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    deliver(receiver, 0, 'alice', altered)
    assert.equal(receiver.rejections.get('bad-signature'), 1)
    deliver(receiver, 1, 'alice', envelope as Uint8Array)
    assert.deepEqual(
      taken(receiver).received.map((event) => new TextDecoder().decode(event.payload)),
      ['alice:0'],
    )
  })

  it('refuses a publication that names a publisher other than its signer (a forged publisher)', () => {
    // mallory signs with her own key a publication that says it is alice's, and broadcasts it as alice
    const forged = encodeSignedPublication(
      { topic: TOPIC, publisher: 'alice', epoch: 1, seq: 1 },
      bytes('alice says: pay mallory'),
      new StandInSigner('mallory'),
    )
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    deliver(receiver, 0, 'alice', forged)
    assert.equal(receiver.rejections.get('bad-signature'), 1)
    assert.deepEqual(taken(receiver).received, [])
  })

  it('refuses a publication broadcast by a node other than its publisher (a replay)', () => {
    const [envelope] = publisher('alice').publish(1)
    const receiver = core('me')
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    deliver(receiver, 0, 'mallory', envelope as Uint8Array)
    assert.equal(receiver.rejections.get('origin-mismatch'), 1)
    assert.deepEqual(taken(receiver).received, [])
  })

  it('counts malformed, oversized and badly named remote publications and never throws on them', () => {
    const receiver = core('me', { maxPayloadBytes: 8 })
    receiver.subscribe(TOPIC, { delivery: 'as-arrives' })
    const signer = new StandInSigner('alice')
    const id = { topic: TOPIC, publisher: 'alice', epoch: 1, seq: 1 }
    deliver(receiver, 0, 'alice', encodeSignedPublication(id, new Uint8Array(9), signer))
    deliver(receiver, 0, 'alice', encodeSignedPublication({ ...id, topic: 'a\nb' }, bytes('x'), signer))
    deliver(
      receiver,
      0,
      'alice',
      encodeSignedPublication({ ...id, topic: 'x'.repeat(129) }, bytes(''), signer),
    )
    deliver(receiver, 0, 'alice', Uint8Array.of(1, 0, 7))
    deliver(receiver, 0, 'alice', new Uint8Array(0))
    receiver.delivered(0, 'alice', 'another-channel', Uint8Array.of(9))
    assert.deepEqual(receiver.rejections.toJSON(), { 'bad-topic': 1, malformed: 2, oversized: 2 })
    assert.equal(receiver.counters.arrived, 5, 'other channels are not pub/sub’s')
  })
})

describe('pub/sub local misuse', () => {
  it('refuses bad topic names, payloads and delivery modes from the application with a MeshError', () => {
    const node = core('me', { maxTopicBytes: 8, maxPayloadBytes: 4 })
    const refusal = (problem: string) => (error: unknown) =>
      isMeshError(error) && error.code === 'INVALID_ARGUMENT' && error.data.problem === problem
    assert.throws(() => node.subscribe(''), refusal('empty'))
    assert.throws(() => node.subscribe('ninebytes'), refusal('too-long'))
    assert.throws(() => node.subscribe('éééé…'), refusal('too-long'), '4 characters, 11 bytes')
    assert.throws(() => node.publish(0, 'tab\there', bytes('')), refusal('control-character'))
    assert.throws(() => node.publish(0, '\ud800', bytes('')), refusal('lone-surrogate'))
    assert.throws(() => node.publish(0, 'ok', new Uint8Array(5)), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => node.subscribe('ok', { delivery: 'sometimes' as 'ordered' }), {
      code: 'INVALID_ARGUMENT',
    })
    assert.equal(node.counters.published, 0)
    assert.doesNotThrow(() => node.subscribe('éé'))
  })

  it('refuses subscriptions, topics and published topics beyond their bounds with CAPACITY_EXCEEDED', () => {
    const node = core('me', { maxSubscriptions: 3, maxTopics: 2, maxPublishedTopics: 2 })
    node.subscribe('a')
    node.subscribe('b')
    assert.throws(() => node.subscribe('c'), { code: 'CAPACITY_EXCEEDED' })
    node.subscribe('a', { delivery: 'latest-only' })
    assert.throws(() => node.subscribe('a'), { code: 'CAPACITY_EXCEEDED' })
    node.publish(0, 'x', bytes(''))
    node.publish(0, 'y', bytes(''))
    node.publish(0, 'x', bytes(''))
    assert.throws(() => node.publish(0, 'z', bytes('')), { code: 'CAPACITY_EXCEEDED' })
  })

  it('numbers publications per topic from 1 within the node’s epoch', () => {
    const node = core('me', {}, 4_321.9)
    const ids = ['a', 'b', 'a', 'a'].map((topic) => node.publish(0, topic, bytes('')))
    assert.deepEqual(
      ids.map((id) => `${id.topic}/${id.epoch}/${id.seq}`),
      ['a/4321/1', 'b/4321/1', 'a/4321/2', 'a/4321/3'],
    )
  })
})
