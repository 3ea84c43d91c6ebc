/** Pub/sub's publications, delivery modes, events and rejection reasons (`pubsub.ts`). */
import type { Millis, NodeId } from '../../kernel/index.ts'

/**
 * How a subscription receives a topic's publications (Macula's modes):
 * - `ordered`: per publisher in sequence order; a missing number is waited for `gapTimeoutMs`, then
 *   skipped (a `GapSkipped` event) and counted.
 * - `latest-only`: never a publication older than one already delivered from the same publisher; the
 *   older ones are skipped and counted.
 * - `as-arrives`: each publication once, in the order it arrived.
 */
export type DeliveryMode = 'ordered' | 'latest-only' | 'as-arrives'

export const DELIVERY_MODES: readonly DeliveryMode[] = Object.freeze(['ordered', 'latest-only', 'as-arrives'])

export interface SubscribeOptions {
  /** @default 'ordered' (Macula's default) */
  readonly delivery?: DeliveryMode
}

/** A subscription's handle, unique within one life of the node. */
export type SubscriptionId = number

/**
 * One publication's identity: its publisher, the publisher's boot epoch (fixed for one life of its
 * node) and a sequence number per publisher and topic within the epoch, from 1.
 */
export interface PublicationId {
  readonly topic: string
  readonly publisher: NodeId
  readonly epoch: number
  readonly seq: number
}

/** A publication as signed by its publisher (`codec.ts`). */
export interface Publication extends PublicationId {
  readonly payload: Uint8Array
  readonly signature: Uint8Array
}

/** The core asks the broadcast module to send an encoded publication (the module's drive). */
export interface PublishRequestedEvent {
  readonly type: 'PublishRequested'
  readonly at: Millis
  readonly channel: string
  readonly topic: string
  readonly seq: number
  /** The signed, encoded publication: the broadcast payload. */
  readonly envelope: Uint8Array
}

/** A publication delivered to one subscription. */
export interface ReceivedEvent extends PublicationId {
  readonly type: 'Received'
  readonly at: Millis
  readonly subscription: SubscriptionId
  readonly payload: Uint8Array
}

/**
 * Why an `ordered` subscription gave up on some sequence numbers:
 * - `timeout`: a later publication waited `gapTimeoutMs` for them;
 * - `overflow`: the publications held back behind them filled a reorder buffer;
 * - `restarted`: the publisher started a new epoch (its node restarted) before they came;
 * - `evicted`: the publisher was forgotten to make room for others, and what it had held back was let go;
 * - `before-first`: they come before the first publication delivered from this publisher's epoch, so
 *   the subscription may simply have started hearing it mid-stream (a late start and a loss of the
 *   first publications look alike from here). Counted apart from the other gaps, which are losses.
 */
export type GapReason = 'timeout' | 'overflow' | 'restarted' | 'evicted' | 'before-first'

/** An `ordered` subscription skipped `fromSeq` … `toSeq` of `publisher`'s publications on `topic`. */
export interface GapSkippedEvent {
  readonly type: 'GapSkipped'
  readonly at: Millis
  readonly subscription: SubscriptionId
  readonly topic: string
  readonly publisher: NodeId
  readonly epoch: number
  readonly fromSeq: number
  readonly toSeq: number
  readonly reason: GapReason
}

export type PubSubEvent = PublishRequestedEvent | ReceivedEvent | GapSkippedEvent

/** Why a publication that arrived was refused (counted, never thrown). */
export type PubSubRejection =
  | 'malformed'
  /** A topic or payload over its bound. */
  | 'oversized'
  /** A topic that is empty, has a control character or lone surrogate. */
  | 'bad-topic'
  /** The publisher named inside is not the node the broadcast came from. */
  | 'origin-mismatch'
  | 'bad-signature'
