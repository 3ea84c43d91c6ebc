/**
 * Replicated state as a protocol module, `/meshwork/state/1`: the replication core (`replication.ts`)
 * with its anti-entropy sessions on this protocol. It needs the overlay (neighbours for anti-entropy,
 * from NeighborUp/NeighborDown) and broadcast (batches leave through a drive of broadcast's core on the
 * `state` channel, and arrive as broadcast's Delivered events on it).
 */
import { DEFAULT_MAX_FRAME_BYTES } from '../../kernel/index.ts'
import {
  type AntiEntropyConfig,
  antiEntropyConfig,
  antiEntropyLimits,
  type RbsrConfig,
  rbsrConfig,
} from '../antientropy/index.ts'
import { BROADCAST_EVENTS, broadcastModule } from '../broadcast/index.ts'
import type { EventSource, MetricSample, ProtocolModule } from '../index.ts'
import { counterSample, drive, subscribe } from '../index.ts'
import { OVERLAY_EVENTS } from '../overlay/index.ts'
import { decodeReplicationMessage, encodedReplicationBytes, encodeReplicationMessage } from './codec.ts'
import { type ReplicationConfig, replicationConfig } from './config.ts'
import { Replication } from './replication.ts'
import type { ReplicationEvent, ReplicationMessage } from './types.ts'

export const STATE_PROTOCOL = '/meshwork/state/1'
/** The broadcast channel batches travel on. */
export const STATE_CHANNEL = 'state'

export const STATE_EVENTS: EventSource<ReplicationEvent> = { protocol: STATE_PROTOCOL }

const MAX_QUEUED_FRAMES = 64

export interface StateSettings {
  readonly config?: Partial<ReplicationConfig>
  readonly antiEntropy?: Partial<AntiEntropyConfig>
  readonly reconciliation?: Partial<RbsrConfig>
  /** This incarnation's number (actors are `node:epoch`); the runtime passes a new one at each start. */
  readonly epoch?: (context: { readonly self: string; readonly now: number }) => number
}

export function stateModule(
  settings: StateSettings = {},
): ProtocolModule<Replication, ReplicationMessage, ReplicationEvent> {
  const config = replicationConfig(settings.config)
  const antiEntropy = antiEntropyConfig(settings.antiEntropy)
  const rbsr = rbsrConfig(settings.reconciliation)
  const maxFrameBytes = Math.max(DEFAULT_MAX_FRAME_BYTES, antiEntropy.maxFrameBytes + 64)
  const limits = {
    antiEntropy: antiEntropyLimits(antiEntropy, rbsr),
    maxNameBytes: config.maxNameBytes,
    maxFrameBytes,
  }
  const broadcast = broadcastModule()
  return {
    id: STATE_PROTOCOL,
    name: 'state',
    codec: {
      encode: encodeReplicationMessage,
      decode: (bytes) => decodeReplicationMessage(bytes, limits),
      size: encodedReplicationBytes,
    },
    delivery: { kind: 'drop-oldest', maxQueuedFrames: MAX_QUEUED_FRAMES },
    maxFrameBytes,
    create: (context) =>
      new Replication({
        self: context.self,
        now: context.now,
        random: context.random,
        signer: context.signer,
        epoch: settings.epoch?.(context) ?? 0,
        config,
        antiEntropy,
        rbsr,
      }),
    knows: (core, peer) => core.antiEntropy.isNeighbor(peer),
    subscriptions: [
      subscribe(OVERLAY_EVENTS, ['NeighborUp', 'NeighborDown'], (core: Replication, now, event) => {
        if (event.type === 'NeighborUp') core.neighborUp(now, event.peer)
        else core.neighborDown(now, event.peer)
      }),
      subscribe(BROADCAST_EVENTS, ['Delivered'], (core: Replication, now, event) => {
        if (event.channel === STATE_CHANNEL) core.onBatch(now, event.origin, event.payload)
      }),
    ],
    drives: [
      drive(
        broadcast,
        ['BatchReady'],
        (core, now, event: Extract<ReplicationEvent, { type: 'BatchReady' }>) => {
          core.broadcast(now, STATE_CHANNEL, event.payload)
        },
      ),
    ],
    surface: {
      status: (core) => ({
        replicatedState: {
          objects: core.objects.size,
          localWrites: core.counters.localWrites,
          batchesMerged: core.counters.batchesMerged,
          repairsMerged: core.counters.repairsMerged,
          rejections: core.rejections.toJSON(),
        },
      }),
      metrics: (core) => stateMetrics(core),
      eventJson: (event) =>
        event.type === 'BatchReady'
          ? { type: event.type, at: event.at, bytes: event.payload.length, deltas: event.deltas }
          : { type: event.type, at: event.at, name: event.name, source: event.source, from: event.from },
    },
  }
}

function stateMetrics(core: Replication): MetricSample[] {
  const c = core.counters
  return [
    counterSample('meshwork_state_local_writes_total', 'Local writes applied', c.localWrites),
    counterSample('meshwork_state_batches_sealed_total', 'Signed batches broadcast', c.batchesSealed),
    counterSample(
      'meshwork_state_batches_merged_total',
      "Peers' batches verified and merged",
      c.batchesMerged,
    ),
    counterSample('meshwork_state_deltas_merged_total', "Deltas of peers' batches merged", c.deltasMerged),
    counterSample('meshwork_state_repairs_sent_total', 'Anti-entropy repairs sent', c.repairsSent),
    counterSample('meshwork_state_repairs_merged_total', 'Anti-entropy repairs merged', c.repairsMerged),
    counterSample(
      'meshwork_state_rejections_total',
      'Batches, deltas and repairs refused',
      core.rejections.total,
    ),
    counterSample(
      'meshwork_state_dropped_total',
      'Replication messages and events lost to bounds',
      c.outboxDropped + c.eventsDropped,
    ),
  ]
}
