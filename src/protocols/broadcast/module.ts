/**
 * Broadcast as a protocol module: Plumtree (`plumtree.ts`) over the overlay module's active view, which
 * it learns from the overlay's NeighborUp/NeighborDown events. A node that runs broadcast must run the
 * overlay (the composition refuses it otherwise).
 *
 * Delivery is drop-oldest, bounded: a gossip frame lost to a full queue is repaired like one lost on the
 * wire, by the announcements on the other links and a graft.
 */
import { DEFAULT_MAX_FRAME_BYTES } from '../../kernel/index.ts'
import {
  counterSample,
  type EventSource,
  type MetricSample,
  type ProtocolModule,
  subscribe,
} from '../index.ts'
import { OVERLAY_EVENTS } from '../overlay/index.ts'
import { decodeBroadcastMessage, encodeBroadcastMessage, encodedBroadcastBytes } from './codec.ts'
import { type BroadcastConfig, broadcastConfig } from './config.ts'
import { Plumtree } from './plumtree.ts'
import type { BroadcastEvent, BroadcastMessage } from './types.ts'

export const BROADCAST_PROTOCOL = '/meshwork/broadcast/1'

/** Broadcast's events, for modules that take what arrives on their channel (state, pub/sub). */
export const BROADCAST_EVENTS: EventSource<BroadcastEvent> = { protocol: BROADCAST_PROTOCOL }

/** Frames queued per neighbour while its stream opens or drains. */
const MAX_QUEUED_FRAMES = 1_024

export interface BroadcastSettings {
  readonly config?: Partial<BroadcastConfig>
}

export function broadcastModule(
  settings: BroadcastSettings = {},
): ProtocolModule<Plumtree, BroadcastMessage, BroadcastEvent> {
  const config = broadcastConfig(settings.config)
  return {
    id: BROADCAST_PROTOCOL,
    name: 'broadcast',
    codec: {
      encode: encodeBroadcastMessage,
      decode: (bytes) => decodeBroadcastMessage(bytes, config),
      size: encodedBroadcastBytes,
    },
    delivery: { kind: 'drop-oldest', maxQueuedFrames: MAX_QUEUED_FRAMES },
    maxFrameBytes: Math.min(DEFAULT_MAX_FRAME_BYTES, config.maxPayloadBytes + 4 * 1024),
    create: (context) =>
      new Plumtree({ self: context.self, config, now: context.now, random: context.random }),
    knows: (core, peer) => core.isNeighbor(peer),
    subscriptions: [
      subscribe(OVERLAY_EVENTS, ['NeighborUp', 'NeighborDown'], (core: Plumtree, now, event) => {
        if (event.type === 'NeighborUp') core.neighborUp(now, event.peer)
        else core.neighborDown(now, event.peer)
      }),
    ],
    surface: {
      status: (core) => ({
        broadcast: {
          eagerPeers: core.eagerPeers().length,
          lazyPeers: core.lazyPeers().length,
          missing: core.missingCount,
        },
      }),
      metrics: (core) => broadcastMetrics(core),
      eventJson: (event) => ({
        type: event.type,
        at: event.at,
        origin: event.origin,
        epoch: event.epoch,
        seq: event.seq,
        channel: event.channel,
        bytes: event.payload.length,
        hops: event.hops,
      }),
    },
  }
}

function broadcastMetrics(core: Plumtree): MetricSample[] {
  const c = core.counters
  const counter = counterSample
  return [
    counter('meshwork_broadcast_delivered_total', 'Broadcasts delivered here, once each', c.delivered),
    counter('meshwork_broadcast_duplicates_total', 'Copies of broadcasts already delivered', c.duplicates),
    counter('meshwork_broadcast_grafts_total', 'Grafts sent to repair a missing branch', c.graftsSent),
    counter('meshwork_broadcast_prunes_total', 'Links made lazy after a duplicate', c.prunesSent),
    counter(
      'meshwork_broadcast_dropped_total',
      'Broadcast state lost to bounds (waiting list, outbox, events, remembered ids)',
      c.missingDropped + c.outboxDropped + c.eventsDropped + core.seenEvicted,
    ),
  ]
}
