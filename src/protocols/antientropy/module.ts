/**
 * Anti-entropy as a protocol module: sessions with overlay neighbours, which it learns from the
 * overlay's NeighborUp/NeighborDown events (a node that runs anti-entropy must run the overlay). The
 * objects and their items come from the layer above through an `ItemSource`, which the settings supply
 * as a factory of the module context (the replication service builds it over its CRDT states).
 *
 * Delivery is drop-oldest with a small bound: sessions are periodic and idempotent. A frame lost to a
 * full queue stalls its session until the timeout; the next interval starts another.
 */
import {
  counterSample,
  type MetricSample,
  type ModuleContext,
  type ProtocolModule,
  subscribe,
} from '../index.ts'
import { OVERLAY_EVENTS } from '../overlay/index.ts'
import { AntiEntropy, antiEntropyLimits } from './antientropy.ts'
import { decodeAntiEntropyMessage, encodeAntiEntropyMessage, encodedAntiEntropyBytes } from './codec.ts'
import { type AntiEntropyConfig, antiEntropyConfig, type RbsrConfig, rbsrConfig } from './config.ts'
import type { AntiEntropyEvent, AntiEntropyMessage, ItemSource } from './types.ts'

export const ANTI_ENTROPY_PROTOCOL = '/meshwork/antientropy/1'

/** Frames queued per neighbour: a session has one frame in flight each way, a few sessions at most. */
const MAX_QUEUED_FRAMES = 8
const ROUND_TRIP_BUCKETS = [1, 2, 3, 4, 6, 8, 16]

export interface AntiEntropySettings {
  /** The objects this node replicates; called once per node, with the module's context. */
  readonly source: (context: ModuleContext) => ItemSource
  readonly config?: Partial<AntiEntropyConfig>
  readonly reconciliation?: Partial<RbsrConfig>
}

export function antiEntropyModule(
  settings: AntiEntropySettings,
): ProtocolModule<AntiEntropy, AntiEntropyMessage, AntiEntropyEvent> {
  const config = antiEntropyConfig(settings.config)
  const rbsr = rbsrConfig(settings.reconciliation)
  const limits = antiEntropyLimits(config, rbsr)
  return {
    id: ANTI_ENTROPY_PROTOCOL,
    name: 'antientropy',
    codec: {
      encode: encodeAntiEntropyMessage,
      decode: (bytes) => decodeAntiEntropyMessage(bytes, limits),
      size: encodedAntiEntropyBytes,
    },
    delivery: { kind: 'drop-oldest', maxQueuedFrames: MAX_QUEUED_FRAMES },
    maxFrameBytes: config.maxFrameBytes,
    create: (context) =>
      new AntiEntropy({
        self: context.self,
        now: context.now,
        random: context.random,
        source: settings.source(context),
        config,
        rbsr,
      }),
    knows: (core, peer) => core.isNeighbor(peer),
    subscriptions: [
      subscribe(OVERLAY_EVENTS, ['NeighborUp', 'NeighborDown'], (core: AntiEntropy, now, event) => {
        if (event.type === 'NeighborUp') core.neighborUp(now, event.peer)
        else core.neighborDown(now, event.peer)
      }),
    ],
    surface: {
      status: (core) => ({
        neighbors: core.neighborCount,
        sessions: core.sessionCount,
        sessionsCompleted: core.counters.sessionsCompleted,
        sessionsTimedOut: core.counters.sessionsTimedOut,
        objectsReconciled: core.counters.objectsReconciled,
        rejections: core.rejections.toJSON(),
      }),
      metrics: (core) => antiEntropyMetrics(core),
      eventJson: (event) => ({
        type: event.type,
        at: event.at,
        peer: event.peer,
        name: event.name,
        have: event.have.length,
        need: event.need.length,
      }),
    },
  }
}

function antiEntropyMetrics(core: AntiEntropy): MetricSample[] {
  const c = core.counters
  const counter = counterSample
  return [
    counter('meshwork_antientropy_bytes_sent_total', 'Anti-entropy bytes sent', c.bytesSent),
    counter('meshwork_antientropy_bytes_received_total', 'Anti-entropy bytes received', c.bytesReceived),
    counter(
      'meshwork_antientropy_sessions_total',
      'Sessions started here or answered',
      c.sessionsStarted + c.sessionsAnswered,
    ),
    counter('meshwork_antientropy_sessions_completed_total', 'Sessions completed', c.sessionsCompleted),
    counter(
      'meshwork_antientropy_timeouts_total',
      'Sessions dropped after sessionTimeoutMs idle',
      c.sessionsTimedOut,
    ),
    counter('meshwork_antientropy_rejections_total', 'Messages or parts refused', core.rejections.total),
    counter(
      'meshwork_antientropy_objects_reconciled_total',
      'Objects reconciled with a peer',
      c.objectsReconciled,
    ),
    counter('meshwork_antientropy_items_have_total', 'Ids found only here', c.itemsHave),
    counter('meshwork_antientropy_items_need_total', 'Ids found only at the peer', c.itemsNeed),
    counter(
      'meshwork_antientropy_dropped_total',
      'Anti-entropy state lost to bounds (aborted sessions, deferred objects, outbox, events)',
      c.sessionsAborted + c.objectsDeferred + c.outboxDropped + c.eventsDropped,
    ),
    {
      kind: 'observations',
      name: 'meshwork_antientropy_session_round_trips',
      help: 'Round trips of each completed session, digest included',
      buckets: ROUND_TRIP_BUCKETS,
      values: core.takeRoundTrips(),
    },
  ]
}
