/**
 * Membership as a protocol module (`protocols/module.ts`): the wire protocol, the preset chosen from the
 * node's connection class, what the engine's hints mean to it, and what it shows through the control
 * API. Engines run it through a `MeshNode` and never name it.
 *
 * Delivery is drop-oldest: probes, acks and gossip are periodic and idempotent, and a stale frame queued
 * behind a slow link is worth less than the next fresh one (SWIM tolerates loss by design).
 */
import { DEFAULT_MAX_FRAME_BYTES } from '../../kernel/index.ts'
import {
  counterSample,
  type EventSource,
  type JsonObject,
  type MetricSample,
  type ProtocolModule,
} from '../index.ts'
import { decodeMessage, encodedMessageBytes, encodeMessage } from './codec.ts'
import { type MembershipConfig, membershipConfig } from './config.ts'
import { Membership } from './membership.ts'
import {
  DEFAULT_PROFILE,
  type MemberProfile,
  type MemberRecord,
  type MemberState,
  type MembershipEvent,
  type MembershipMessage,
} from './types.ts'

/** The stream protocol; its version follows the wire format's (`MEMBERSHIP_WIRE_VERSION`). */
export const MEMBERSHIP_PROTOCOL = '/meshwork/membership/2'

/** Membership's events, for modules that subscribe to joins, failures and profile changes. */
export const MEMBERSHIP_EVENTS: EventSource<MembershipEvent> = { protocol: MEMBERSHIP_PROTOCOL }

export interface MembershipSettings {
  /** What this node advertises; its connection class is the node's. */
  readonly profile?: Partial<Omit<MemberProfile, 'connectionClass'>>
  /** Overrides of the connection class's preset. */
  readonly config?: Partial<MembershipConfig>
  /** Start from this incarnation (a node that remembers its last one). */
  readonly incarnation?: number
  /** Members known from before, loaded without gossip (a converged start in the simulator). */
  readonly restore?: readonly MemberRecord[]
}

const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'failed', 'left']

/** Probe round trips from a LAN's sub-millisecond to a hostile link's seconds. */
const PROBE_RTT_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** Frames queued per peer while its stream opens or drains; about a second of LAN traffic. */
const MAX_QUEUED_FRAMES = 256

export function membershipModule(
  settings: MembershipSettings = {},
): ProtocolModule<Membership, MembershipMessage, MembershipEvent> {
  return {
    id: MEMBERSHIP_PROTOCOL,
    name: 'membership',
    codec: { encode: encodeMessage, decode: (bytes) => decodeMessage(bytes), size: encodedMessageBytes },
    delivery: { kind: 'drop-oldest', maxQueuedFrames: MAX_QUEUED_FRAMES },
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    create: (context) => {
      const core = new Membership({
        self: context.self,
        addresses: context.addresses,
        profile: { ...DEFAULT_PROFILE, ...settings.profile, connectionClass: context.connectionClass },
        config: membershipConfig(context.connectionClass, settings.config),
        random: context.random,
        signer: context.signer,
        now: context.now,
        ...(settings.incarnation === undefined ? {} : { incarnation: settings.incarnation }),
      })
      if (settings.restore !== undefined) core.restore(context.now, settings.restore)
      return core
    },
    hint: (core, now, hint) => {
      switch (hint.kind) {
        case 'seeds':
          core.join(now, hint.peers)
          return
        case 'discovered':
          core.introduce(now, hint.peer)
          return
        case 'opening':
          core.opening(now, hint.peer)
          return
        case 'connection-lost':
          core.connectionLost(now, hint.peer)
          return
        case 'addresses':
          core.updateAddresses(now, hint.addresses)
          return
        case 'leave':
          core.leave(now)
          return
      }
    },
    knows: (core, peer) => core.member(peer) !== undefined,
    addressesOf: (core, peer) => core.member(peer)?.addresses,
    peerCount: (core) => {
      const counts = core.memberCounts()
      return counts.alive + counts.suspect
    },
    surface: {
      status: (core) => ({
        members: core.memberCounts(),
        incarnation: core.incarnation,
        localHealth: core.localHealth,
      }),
      condition: (core) => (core.isPartitioned ? 'partitioned' : undefined),
      views: { members: (core) => membersView(core) },
      metrics: (core) => membershipMetrics(core),
      eventJson: (event) => membershipEventJson(event),
    },
  }
}

/** `/v1/members`: every member this node knows (itself excluded), with its smoothed round trip. */
function membersView(core: Membership): JsonObject {
  return {
    self: core.id,
    members: core.members().map((record) => {
      const rttMs = core.roundTripMs(record.id)
      return {
        ...recordJson(record),
        ...(rttMs === undefined ? {} : { rttMs }),
      }
    }),
  }
}

function recordJson(record: MemberRecord): JsonObject {
  return {
    peerId: record.id,
    state: record.state,
    incarnation: record.incarnation,
    addresses: [...record.addresses],
    profile: profileJson(record.profile),
  }
}

function profileJson(profile: MemberProfile): JsonObject {
  return { ...profile, labels: [...profile.labels] }
}

function membershipEventJson(event: MembershipEvent): JsonObject {
  if (event.type !== 'MemberJoined' && event.type !== 'MemberUpdated') return { ...event }
  const { id, incarnation, state, addresses } = event.member
  return {
    type: event.type,
    at: event.at,
    member: { id, incarnation, state, addresses: [...addresses], profile: profileJson(event.member.profile) },
  }
}

function membershipMetrics(core: Membership): MetricSample[] {
  const counts = core.memberCounts()
  const stats = core.stats
  const roundTrips: number[] = []
  for (const record of core.members()) {
    const rtt = core.roundTripMs(record.id)
    if (rtt !== undefined) roundTrips.push(rtt / 1000)
  }
  const counter = counterSample
  return [
    ...MEMBER_STATES.map(
      (state): MetricSample => ({
        kind: 'gauge',
        name: 'meshwork_members',
        help: 'Members this node knows, by state',
        labels: { state },
        value: counts[state],
      }),
    ),
    {
      kind: 'observations',
      name: 'meshwork_probe_rtt_seconds',
      help: 'Smoothed round trip of membership probes to each member, sampled at every scrape',
      buckets: PROBE_RTT_BUCKETS_SECONDS,
      values: roundTrips,
    },
    counter('meshwork_membership_probes_total', 'Direct probes sent', stats.probesSent),
    counter(
      'meshwork_membership_probes_failed_total',
      'Probe rounds that ended without an ack',
      stats.probesFailed,
    ),
    counter('meshwork_membership_suspicions_total', 'Suspicions this node raised', stats.suspicionsRaised),
    counter(
      'meshwork_membership_refutations_total',
      'Times this node refuted a suspicion of itself',
      stats.refutations,
    ),
    counter(
      'meshwork_membership_dropped_total',
      'Updates, events and messages lost to bounds',
      dropped(core),
    ),
  ]
}

function dropped(core: Membership): number {
  const stats = core.stats
  return (
    stats.updatesDropped +
    stats.eventsDropped +
    stats.outboxDropped +
    stats.requestsDropped +
    stats.membersRefused
  )
}
