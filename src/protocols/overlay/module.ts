/**
 * The overlay as a protocol module (`protocols/module.ts`): its wire protocol, the preset chosen from the
 * node's connection class, what engine hints mean to it, and what it shows through the control API.
 *
 * Delivery is drop-oldest with a small bound: heartbeats are periodic, and every other message is part
 * of a handshake or walk that is retried or repeated when lost (HyParView tolerates loss by design). A
 * frame queued behind a slow link for long is stale: a reply whose request has timed out is undone by
 * the requester anyway.
 *
 * Which peers it deals with (`knows`): its neighbours, its passive peers, and the peers it has a request
 * or probe in flight to. Passive peers are included because this node must be able to send them a
 * NEIGHBOR request or a probe, and a shuffle origin it answers lands there too; the passive view is
 * bounded (30), so the links an engine may open for the overlay stay bounded. Only neighbours (and
 * requests in flight) count towards `peerCount`, the connections an engine keeps beyond its limits: a
 * passive peer's link is used for one exchange and should be let go (see the report on engine changes).
 *
 * Following membership is opt-in (`followMembership`): a node composed without the membership module
 * would otherwise fail at construction, as MeshNode refuses subscriptions to absent modules. A million-
 * node simulation runs the overlay alone and relies on its own heartbeat.
 */
import type { Millis } from '../../kernel/index.ts'
import type { EventSource, JsonObject, MetricSample, ProtocolModule, Subscription } from '../index.ts'
import { subscribe } from '../index.ts'
import { MEMBERSHIP_EVENTS } from '../membership/index.ts'
import { decodeMessage, encodedMessageBytes, encodeMessage, OVERLAY_MAX_FRAME_BYTES } from './codec.ts'
import { type OverlayConfig, overlayConfig } from './config.ts'
import { Overlay } from './overlay.ts'
import { OVERLAY_MESSAGE_TYPES, type OverlayEvent, type OverlayMessage } from './types.ts'

/** The stream protocol; its version follows the wire format's (`OVERLAY_WIRE_VERSION`). */
export const OVERLAY_PROTOCOL = '/meshwork/overlay/1'

/** The overlay's events, for modules that subscribe to neighbours coming and going (broadcast). */
export const OVERLAY_EVENTS: EventSource<OverlayEvent> = { protocol: OVERLAY_PROTOCOL }

export interface OverlaySettings {
  /** Overrides of the connection class's preset. */
  readonly config?: Partial<OverlayConfig>
  /**
   * Take membership's MemberFailed and MemberLeft as neighbour failures, and MemberJoined as passive
   * peers. Needs the membership module on the same node.
   * @default false
   */
  readonly followMembership?: boolean
}

/** Frames queued per peer while its stream opens or drains: a few heartbeats' worth. */
const MAX_QUEUED_FRAMES = 32

function membershipSubscriptions(): Subscription<Overlay>[] {
  return [
    subscribe(MEMBERSHIP_EVENTS, ['MemberFailed'], (core: Overlay, now: Millis, event) =>
      core.peerGone(now, event.id, 'member-failed'),
    ),
    subscribe(MEMBERSHIP_EVENTS, ['MemberLeft'], (core: Overlay, now: Millis, event) =>
      core.peerGone(now, event.id, 'left'),
    ),
    subscribe(MEMBERSHIP_EVENTS, ['MemberJoined'], (core: Overlay, now: Millis, event) =>
      core.introduce(now, event.member.id),
    ),
  ]
}

export function overlayModule(
  settings: OverlaySettings = {},
): ProtocolModule<Overlay, OverlayMessage, OverlayEvent> {
  return {
    id: OVERLAY_PROTOCOL,
    name: 'overlay',
    codec: { encode: encodeMessage, decode: decodeMessage, size: encodedMessageBytes },
    delivery: { kind: 'drop-oldest', maxQueuedFrames: MAX_QUEUED_FRAMES },
    maxFrameBytes: OVERLAY_MAX_FRAME_BYTES,
    create: (context) =>
      new Overlay({
        self: context.self,
        config: overlayConfig(context.connectionClass, settings.config),
        random: context.random,
        now: context.now,
      }),
    hint: (core, now, hint) => {
      switch (hint.kind) {
        case 'seeds':
          core.join(now, hint.peers)
          return
        case 'discovered':
          core.introduce(now, hint.peer)
          return
        case 'connection-lost':
          core.connectionLost(now, hint.peer)
          return
        case 'leave':
          core.leave(now)
          return
        case 'opening':
        case 'addresses':
          return
      }
    },
    knows: (core, peer) => core.knows(peer),
    peerCount: (core) => core.activeCount + core.handshakesInFlight,
    ...(settings.followMembership === true ? { subscriptions: membershipSubscriptions() } : {}),
    surface: {
      status: (core) => ({ overlay: overlayStatus(core) }),
      views: { neighbors: (core) => neighborsView(core) },
      metrics: (core) => overlayMetrics(core),
      eventJson: (event) => ({ ...event }),
    },
  }
}

function overlayStatus(core: Overlay): JsonObject {
  return {
    active: core.activeCount,
    passive: core.passiveView().length,
    longLinks: core.longLinkCount,
    requestsInFlight: core.handshakesInFlight,
  }
}

/** `/v1/neighbors`: the active view with each link's class and RTT, and the passive view. */
function neighborsView(core: Overlay): JsonObject {
  return {
    self: core.id,
    active: core.neighbors().map(({ id, long, rttMs }) => ({
      peerId: id,
      long,
      ...(Number.isNaN(rttMs) ? {} : { rttMs }),
    })),
    passive: core.passiveView(),
  }
}

function overlayMetrics(core: Overlay): MetricSample[] {
  const stats = core.stats
  const gauge = (name: string, help: string, value: number): MetricSample => ({
    kind: 'gauge',
    name,
    help,
    value,
  })
  const counter = (
    name: string,
    help: string,
    value: number,
    labels?: Record<string, string>,
  ): MetricSample => ({
    kind: 'counter',
    name,
    help,
    value,
    ...(labels === undefined ? {} : { labels }),
  })
  return [
    gauge('meshwork_overlay_active_neighbors', 'Neighbours in the active view', core.activeCount),
    gauge('meshwork_overlay_passive_peers', 'Peers in the passive view', core.passiveView().length),
    gauge('meshwork_overlay_long_links', 'Active links kept for peers met at random', core.longLinkCount),
    ...OVERLAY_MESSAGE_TYPES.flatMap((type) => [
      counter('meshwork_overlay_messages_sent_total', 'Overlay messages sent, by type', stats.sent[type], {
        type,
      }),
      counter(
        'meshwork_overlay_messages_received_total',
        'Overlay messages received, by type',
        stats.received[type],
        {
          type,
        },
      ),
    ]),
    ...(
      [
        ['not-neighbor', stats.rejectedNotNeighbor],
        ['unexpected-reply', stats.rejectedUnexpectedReply],
        ['from-self', stats.rejectedFromSelf],
      ] as const
    ).map(([reason, value]) =>
      counter('meshwork_overlay_rejected_total', 'Remote input refused, by reason', value, { reason }),
    ),
    ...(
      [
        ['outbox', stats.droppedOutbox],
        ['events', stats.droppedEvents],
        ['requests', stats.droppedHandshakes],
      ] as const
    ).map(([bound, value]) =>
      counter('meshwork_overlay_dropped_total', 'Messages, events and requests lost to bounds', value, {
        bound,
      }),
    ),
    counter(
      'meshwork_overlay_failures_detected_total',
      'Neighbours silent past the heartbeat timeout',
      stats.failuresDetected,
    ),
    counter(
      'meshwork_overlay_repairs_total',
      'Free active slots filled from the passive view',
      stats.repairs,
    ),
    counter(
      'meshwork_overlay_swaps_total',
      'Neighbours swapped for nearer (or random) passive peers',
      stats.swaps,
    ),
  ]
}
