/**
 * Pub/sub settings. Every bound on what remote input can make this node hold is here, each with the
 * reason for its default; what a bound drops is counted by the core (`pubsub.ts`).
 */

import { MeshError } from '../../kernel/index.ts'
import { DEFAULT_BROADCAST_CONFIG } from '../broadcast/index.ts'
import { MAX_ENVELOPE_OVERHEAD_BYTES } from './codec.ts'

export interface PubSubConfig {
  /**
   * An `ordered` subscription waits this long for a missing sequence number before it skips the gap.
   * Macula waits 250 ms over direct station links; here a lost copy is repaired by the broadcast beneath
   * (a graft after Plumtree's `graftTimeoutMs`, or the exchange of recent ids every 500 ms). In the
   * 1,000-node simulation at 5 % loss over 5–150 ms links (`test/sim/pubsub-1000.test.ts`, seeds 1–15)
   * a publication was held back up to 1.26 s; at seeds 1–3, a 250 ms timeout skipped over 2,000 gaps a
   * run, 1 s still 4 to 7, 2 s none. Waiting longer than the broadcast's `catchUpMs` (5 s) buys
   * nothing: past it nothing announces the message again.
   */
  readonly gapTimeoutMs: number
  /** Topic names are short labels of a kind of fact (`tasks/done`), never data. */
  readonly maxTopicBytes: number
  /** Payload of one publication; with the envelope it must fit one broadcast payload (256 KiB). */
  readonly maxPayloadBytes: number
  /** Subscriptions held at once, over all topics. */
  readonly maxSubscriptions: number
  /** Distinct topics subscribed at once. */
  readonly maxTopics: number
  /**
   * Distinct topics this node publishes on in one life: each needs its own sequence counter, which can
   * never be forgotten (a forgotten counter restarting at 1 would collide with its earlier numbers).
   */
  readonly maxPublishedTopics: number
  /**
   * Publishers tracked per subscribed topic (for `ordered` and `latest-only`); the least recently heard
   * is forgotten first, so a flood of invented publishers evicts only the publishers heard least.
   */
  readonly maxPublishersPerTopic: number
  /** Publications held back by one publisher's gap (Macula's `order_max_buffer`: 1,024). */
  readonly maxBufferedPerPublisher: number
  /** Publications held back over all publishers and topics. */
  readonly maxBufferedTotal: number
  /** Payload bytes held back over all publishers and topics. */
  readonly maxBufferedBytes: number
  /**
   * Publication ids remembered to drop duplicates before any signature is checked. Macula keeps 60 s;
   * this keeps a count: at 100 publications a second over all topics, 16,384 ids are 160 s of them.
   */
  readonly dedupeCapacity: number
}

export const DEFAULT_PUBSUB_CONFIG: PubSubConfig = Object.freeze({
  gapTimeoutMs: 3_000,
  maxTopicBytes: 128,
  maxPayloadBytes: 64 * 1024,
  maxSubscriptions: 1_024,
  maxTopics: 256,
  maxPublishedTopics: 1_024,
  maxPublishersPerTopic: 1_024,
  maxBufferedPerPublisher: 1_024,
  maxBufferedTotal: 8_192,
  maxBufferedBytes: 16 * 1024 * 1024,
  dedupeCapacity: 16_384,
})

/** The broadcast channel publications travel on (`DeliveredEvent.channel`). */
export const PUBSUB_CHANNEL = 'pubsub'

export function pubsubConfig(overrides: Partial<PubSubConfig> = {}): PubSubConfig {
  const config = { ...DEFAULT_PUBSUB_CONFIG, ...overrides }
  for (const [name, value] of Object.entries(config)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new MeshError('INVALID_CONFIG', `pub/sub ${name} must be a positive integer, got ${value}`, {
        name,
        value,
      })
    }
  }
  const envelopeBytes = config.maxPayloadBytes + config.maxTopicBytes + MAX_ENVELOPE_OVERHEAD_BYTES
  if (envelopeBytes > DEFAULT_BROADCAST_CONFIG.maxPayloadBytes) {
    throw new MeshError(
      'INVALID_CONFIG',
      `a pub/sub envelope of ${envelopeBytes} bytes would not fit a broadcast payload of ${DEFAULT_BROADCAST_CONFIG.maxPayloadBytes}`,
      { maxPayloadBytes: config.maxPayloadBytes, maxTopicBytes: config.maxTopicBytes },
    )
  }
  return Object.freeze(config)
}
