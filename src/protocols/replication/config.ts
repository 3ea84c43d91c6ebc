/** The replication service's settings and bounds. */
import { MeshError } from '../../kernel/index.ts'
import { type CrdtLimits, DEFAULT_CRDT_LIMITS } from '../crdt/index.ts'

export interface ReplicationConfig {
  /** The realm a batch must name (nodes of another realm never merge it). */
  readonly realm: string
  /** Local deltas wait this long for others to share a batch and a signature (state.md §10: 10–50 ms). */
  readonly batchIntervalMs: number
  /** Deltas in one batch; a flush with more seals several. */
  readonly maxDeltasPerBatch: number
  /** Encoded bytes of one batch's deltas before another batch is started. */
  readonly maxBatchBytes: number
  /** A batch sealed longer ago than this (by the origin's clock against ours) is stale. */
  readonly maxBatchAgeMs: number
  /** …and one sealed further ahead of our clock than this comes from the future. */
  readonly maxClockAheadMs: number
  /** Batches merged per origin and second, in bursts of `originBurst`. */
  readonly originRatePerSecond: number
  readonly originBurst: number
  /** Origins whose rate is tracked at once. */
  readonly maxOrigins: number
  readonly maxObjects: number
  readonly maxNameBytes: number
  readonly crdt: CrdtLimits
}

export const DEFAULT_REPLICATION_CONFIG: ReplicationConfig = Object.freeze({
  realm: 'default',
  batchIntervalMs: 10,
  maxDeltasPerBatch: 256,
  maxBatchBytes: 192 * 1024,
  maxBatchAgeMs: 120_000,
  maxClockAheadMs: 30_000,
  // a node seals at most one batch per interval in normal use (100/s at 10 ms); twice that is a flood
  originRatePerSecond: 200,
  originBurst: 400,
  maxOrigins: 4_096,
  maxObjects: 1_024,
  maxNameBytes: 256,
  crdt: DEFAULT_CRDT_LIMITS,
})

export function replicationConfig(overrides: Partial<ReplicationConfig> = {}): ReplicationConfig {
  const config = { ...DEFAULT_REPLICATION_CONFIG, ...overrides }
  for (const key of [
    'batchIntervalMs',
    'maxDeltasPerBatch',
    'maxBatchBytes',
    'maxBatchAgeMs',
    'maxClockAheadMs',
    'originRatePerSecond',
    'originBurst',
    'maxOrigins',
    'maxObjects',
    'maxNameBytes',
  ] as const) {
    const value = config[key]
    if (!(Number.isFinite(value) && value > 0)) {
      throw new MeshError('INVALID_CONFIG', `replication ${key} must be a positive number, got ${value}`)
    }
  }
  return Object.freeze(config)
}
