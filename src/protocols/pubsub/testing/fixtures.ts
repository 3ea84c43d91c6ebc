/**
 * Pub/sub cores stepped by hand, for unit tests: publishers whose envelopes a test hands to a receiver
 * in whatever order, duplicated or altered, as the broadcast beneath would deliver them (or fail to).
 */
import { type Millis, type NodeId, type Signer, StandInSigner } from '../../../kernel/index.ts'
import { type PubSubConfig, pubsubConfig } from '../config.ts'
import { PubSub } from '../pubsub.ts'
import type { GapSkippedEvent, PubSubEvent, ReceivedEvent } from '../types.ts'

export const TOPIC = 'tasks/done'
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

export function core(
  self: NodeId,
  config: Partial<PubSubConfig> = {},
  now: Millis = 1_000,
  signer: Signer = new StandInSigner(self),
): PubSub {
  return new PubSub({ self, now, signer, config: pubsubConfig(config) })
}

/** A publisher: `publish(n)` publishes n publications on `topic` and returns their envelopes. */
export function publisher(
  self: NodeId,
  now: Millis = 1_000,
  topic = TOPIC,
): { core: PubSub; publish(count: number): Uint8Array[] } {
  const pub = core(self, {}, now)
  return {
    core: pub,
    publish(count) {
      for (let i = 0; i < count; i++) pub.publish(now, topic, bytes(`${self}:${i}`))
      return pub.takeEvents().flatMap((event) => (event.type === 'PublishRequested' ? [event.envelope] : []))
    },
  }
}

/** Hands `envelope` to `receiver` as a broadcast from `origin` on the pub/sub channel. */
export function deliver(receiver: PubSub, now: Millis, origin: NodeId, envelope: Uint8Array): void {
  receiver.delivered(now, origin, receiver.channel, envelope)
}

/** The events taken from `receiver`, split by kind. */
export function taken(receiver: PubSub): { received: ReceivedEvent[]; gaps: GapSkippedEvent[] } {
  const events: readonly PubSubEvent[] = receiver.takeEvents()
  return {
    received: events.filter((event): event is ReceivedEvent => event.type === 'Received'),
    gaps: events.filter((event): event is GapSkippedEvent => event.type === 'GapSkipped'),
  }
}

/** The sequence numbers received, per subscription id. */
export function seqsBySubscription(received: readonly ReceivedEvent[]): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const event of received) {
    const list = out.get(event.subscription) ?? []
    list.push(event.seq)
    out.set(event.subscription, list)
  }
  return out
}
