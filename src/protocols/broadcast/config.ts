/**
 * Broadcast settings. Timings follow Plumtree's two timers (Leitão, Pereira, Rodrigues, SRDS 2007, §3.6):
 * how long after the first announcement of a missing message a node waits for the eager copy before it
 * grafts, and announcements are sent in batches, not one frame per message (Partisan's lazy tick).
 */
import { MeshError } from '../../kernel/index.ts'

export interface BroadcastConfig {
  /** Announcements (IHAVE) wait at most this long to be sent in one batch per neighbour. */
  readonly lazyIntervalMs: number
  /**
   * After the first announcement of a message not received, wait this long for the eager copy before
   * grafting the announcer; again this long before grafting the next announcer. Above the spread of
   * eager-path latencies, or lazy links graft on every message: one link latency plus the lazy batch.
   */
  readonly graftTimeoutMs: number
  /** Received message ids remembered for deduplication. */
  readonly seenCapacity: number
  /** Received messages kept to answer grafts; kept at most `storeTtlMs`. */
  readonly storeCapacity: number
  readonly storeTtlMs: number
  /** A new neighbour is told of the messages received in this last stretch (`plumtree.ts`). */
  readonly catchUpMs: number
  /**
   * While it holds such recent messages, a node tells one neighbour in turn their ids this often: with
   * a full active view of 5, every neighbour hears of a message twice within `catchUpMs` (once was not
   * enough at 5 % simulated loss: seed 83 left a node whose only link's announcement was lost).
   */
  readonly exchangeIntervalMs: number
  /** Messages announced but not received that are being waited for. */
  readonly maxMissing: number
  /** Announcers remembered per missing message (the next ones to graft). */
  readonly maxAnnouncers: number
  /** Announcements queued per neighbour before a batch goes out early. */
  readonly maxAnnouncementsPerBatch: number
  readonly maxPayloadBytes: number
  readonly maxChannelBytes: number
  /**
   * Plumtree's optimisation (§3.8): an announcement that arrives this many hops sooner than the eager
   * copy came shows a shorter path; the node grafts the announcer and prunes the eager sender.
   */
  readonly optimizationHops: number
}

export const DEFAULT_BROADCAST_CONFIG: BroadcastConfig = Object.freeze({
  lazyIntervalMs: 50,
  graftTimeoutMs: 250,
  seenCapacity: 8_192,
  storeCapacity: 1_024,
  storeTtlMs: 30_000,
  catchUpMs: 5_000,
  exchangeIntervalMs: 500,
  maxMissing: 1_024,
  maxAnnouncers: 4,
  maxAnnouncementsPerBatch: 256,
  maxPayloadBytes: 256 * 1024,
  maxChannelBytes: 256,
  optimizationHops: 3,
})

export function broadcastConfig(overrides: Partial<BroadcastConfig> = {}): BroadcastConfig {
  const config = { ...DEFAULT_BROADCAST_CONFIG, ...overrides }
  for (const [name, value] of Object.entries(config)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new MeshError('INVALID_CONFIG', `broadcast ${name} must be a positive integer, got ${value}`, {
        name,
        value,
      })
    }
  }
  return Object.freeze(config)
}
