/**
 * Pub/sub as a protocol module (`pubsub.ts`): it takes the broadcast module's `Delivered` events on its
 * channel, and its `PublishRequested` events drive the broadcast core (declared here, so broadcast knows
 * nothing of it). A node that runs pub/sub must run broadcast, and so the overlay (the composition
 * refuses it otherwise).
 *
 * It sends no messages of its own: its stream protocol carries nothing, so its codec refuses every
 * frame and its frame bound is 0.
 */
import { err } from '../../kernel/index.ts'
import { BROADCAST_EVENTS, broadcastModule, type Plumtree } from '../broadcast/index.ts'
import {
  counterSample,
  drive,
  type EventSource,
  type MessageCodec,
  type MetricSample,
  type ProtocolModule,
  subscribe,
} from '../index.ts'
import { PUBSUB_CHANNEL, type PubSubConfig, pubsubConfig } from './config.ts'
import { PubSub } from './pubsub.ts'
import type { PubSubEvent } from './types.ts'

export const PUBSUB_PROTOCOL = '/meshwork/pubsub/1'

/** Pub/sub's events, for modules and applications that take its deliveries. */
export const PUBSUB_EVENTS: EventSource<PubSubEvent> = { protocol: PUBSUB_PROTOCOL }

export interface PubSubSettings {
  readonly config?: Partial<PubSubConfig>
  /** The broadcast channel publications travel on; nodes that talk to each other must agree on it. */
  readonly channel?: string
}

const NO_MESSAGES: MessageCodec<never> = {
  encode: () => new Uint8Array(0),
  decode: () => err('unknown-type'),
  size: () => 0,
}

export function pubsubModule(settings: PubSubSettings = {}): ProtocolModule<PubSub, never, PubSubEvent> {
  const config = pubsubConfig(settings.config)
  const channel = settings.channel ?? PUBSUB_CHANNEL
  return {
    id: PUBSUB_PROTOCOL,
    name: 'pubsub',
    codec: NO_MESSAGES,
    delivery: { kind: 'drop-oldest', maxQueuedFrames: 1 },
    maxFrameBytes: 0,
    create: (context) =>
      new PubSub({ self: context.self, now: context.now, signer: context.signer, config, channel }),
    subscriptions: [
      subscribe(BROADCAST_EVENTS, ['Delivered'], (core: PubSub, now, event) =>
        core.delivered(now, event.origin, event.channel, event.payload),
      ),
    ],
    drives: [
      drive<Plumtree, PubSubEvent, 'PublishRequested'>(
        broadcastModule(),
        ['PublishRequested'],
        (core, now, event) => core.broadcast(now, event.channel, event.envelope),
      ),
    ],
    surface: {
      status: (core) => ({
        pubsub: {
          subscriptions: core.subscriptionCount,
          topics: core.topicCount,
          publishers: core.publisherCount,
          held: core.heldCount,
          published: core.counters.published,
          delivered: core.counters.delivered,
          gapsSkipped: core.counters.gapsSkipped,
          rejections: core.rejections.toJSON(),
        },
      }),
      metrics: (core) => pubsubMetrics(core),
      eventJson: (event) => {
        switch (event.type) {
          case 'PublishRequested':
            return {
              type: event.type,
              at: event.at,
              topic: event.topic,
              seq: event.seq,
              bytes: event.envelope.length,
            }
          case 'Received':
            return {
              type: event.type,
              at: event.at,
              subscription: event.subscription,
              topic: event.topic,
              publisher: event.publisher,
              epoch: event.epoch,
              seq: event.seq,
              bytes: event.payload.length,
            }
          case 'GapSkipped':
            return { ...event }
        }
      },
    },
  }
}

function pubsubMetrics(core: PubSub): MetricSample[] {
  const c = core.counters
  const counter = counterSample
  return [
    counter('meshwork_pubsub_published_total', 'Publications published here', c.published),
    counter('meshwork_pubsub_delivered_total', 'Publications delivered to subscriptions', c.delivered),
    counter('meshwork_pubsub_duplicates_total', 'Publications dropped as already seen', c.duplicates),
    counter('meshwork_pubsub_gap_skips_total', 'Gaps an ordered subscription gave up on', c.gapsSkipped),
    counter(
      'meshwork_pubsub_late_starts_total',
      'Ordered streams first heard past their first publication (a late start, or its loss)',
      c.lateStarts,
    ),
    counter('meshwork_pubsub_seqs_skipped_total', 'Sequence numbers in the gaps given up on', c.seqsSkipped),
    counter(
      'meshwork_pubsub_superseded_total',
      'Publications not delivered to latest-only subscriptions, older than one delivered',
      c.superseded,
    ),
    counter(
      'meshwork_pubsub_late_total',
      'Publications behind an ordered cursor (their number skipped, or a past epoch)',
      c.late + c.stale,
    ),
    counter('meshwork_pubsub_rejections_total', 'Publications refused', core.rejections.total),
    counter(
      'meshwork_pubsub_dropped_total',
      'Pub/sub state lost to bounds (publishers forgotten, dedupe ids forgotten, events, held back)',
      c.publishersEvicted + core.dedupeEvicted + c.eventsDropped + c.heldDropped,
    ),
    {
      kind: 'gauge',
      name: 'meshwork_pubsub_held',
      help: 'Publications held back by gaps in ordered streams',
      value: core.heldCount,
    },
  ]
}
