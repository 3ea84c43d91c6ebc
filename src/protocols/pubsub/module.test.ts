import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError, Random, StandInSigner } from '../../kernel/index.ts'
import { MeshNode } from '../../node/index.ts'
import { BROADCAST_PROTOCOL, broadcastModule } from '../broadcast/index.ts'
import type { AnyModule } from '../index.ts'
import { overlayModule } from '../overlay/index.ts'
import { PUBSUB_PROTOCOL, pubsubModule } from './module.ts'
import { bytes, TOPIC } from './testing/fixtures.ts'

const pubsub = pubsubModule()

function node(modules: readonly AnyModule[] = [overlayModule(), broadcastModule(), pubsub]): MeshNode {
  return new MeshNode({
    self: 'a',
    now: 0,
    random: new Random(1),
    signer: new StandInSigner('a'),
    connectionClass: 'lan',
    addresses: [],
    modules,
  })
}

describe('pub/sub module', () => {
  it('publishes through the broadcast core and delivers to a local subscription within one act()', () => {
    const a = node()
    a.takeEvents()
    const sub = a.act(1, pubsub, (core) => core.subscribe(TOPIC))
    const id = a.act(2, pubsub, (core) => core.publish(2, TOPIC, bytes('hello')))
    assert.deepEqual(id, { topic: TOPIC, publisher: 'a', epoch: 0, seq: 1 })
    const events = a.takeEvents()
    assert.deepEqual(
      events.map((e) => `${e.protocol} ${e.event.type}`),
      [
        `${PUBSUB_PROTOCOL} PublishRequested`,
        `${BROADCAST_PROTOCOL} Delivered`,
        `${PUBSUB_PROTOCOL} Received`,
      ],
    )
    const received = events[2] as (typeof events)[number]
    assert.deepEqual(a.eventJson(received), {
      type: 'Received',
      at: 2,
      subscription: sub,
      topic: TOPIC,
      publisher: 'a',
      epoch: 0,
      seq: 1,
      bytes: 5,
      protocol: 'pubsub',
    })
    const requested = a.eventJson(events[0] as (typeof events)[number])
    assert.equal(requested.type, 'PublishRequested')
    assert.equal(requested.protocol, 'pubsub')
  })

  it('reports status and counter metrics, and refuses every frame on its own protocol', () => {
    const a = node()
    a.act(1, pubsub, (core) => core.subscribe(TOPIC, { delivery: 'as-arrives' }))
    a.act(2, pubsub, (core) => core.publish(2, TOPIC, bytes('x')))
    const status = a.status().fields.pubsub as Record<string, unknown>
    assert.equal(status.subscriptions, 1)
    assert.equal(status.published, 1)
    assert.equal(status.delivered, 1)
    const metrics = a.metrics().filter((metric) => metric.name.startsWith('meshwork_pubsub_'))
    assert.equal(new Set(metrics.map((metric) => metric.name)).size, metrics.length, 'names are unique')
    const delivered = metrics.find((metric) => metric.name === 'meshwork_pubsub_delivered_total')
    assert.ok(delivered !== undefined && 'value' in delivered && delivered.value === 1)
    assert.equal(a.receiveFrame(3, 'b', PUBSUB_PROTOCOL, Uint8Array.of(1)), 'frame-too-large')
    assert.equal(a.receiveFrame(3, 'b', PUBSUB_PROTOCOL, new Uint8Array(0)), 'unknown-type')
  })

  it('refuses to be composed without the broadcast module', () => {
    assert.throws(
      () => node([overlayModule(), pubsub]),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && error.message.includes('broadcast'),
    )
  })

  it('refuses settings whose envelope would not fit a broadcast payload', () => {
    assert.throws(() => pubsubModule({ config: { maxPayloadBytes: 256 * 1024 } }), { code: 'INVALID_CONFIG' })
    assert.throws(() => pubsubModule({ config: { gapTimeoutMs: 0 } }), { code: 'INVALID_CONFIG' })
  })
})
