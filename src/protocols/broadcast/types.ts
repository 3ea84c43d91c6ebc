/** Broadcast messages and events (Plumtree, `plumtree.ts`). */
import type { Millis, NodeId } from '../../kernel/index.ts'

/**
 * A broadcast's identity: its origin, the origin's epoch (a number fixed for one life of the origin's
 * node, so that a restarted node's sequence numbers starting again cannot collide with its last life's),
 * and a sequence number within the epoch.
 */
export interface MessageId {
  readonly origin: NodeId
  readonly epoch: number
  readonly seq: number
}

/** Eager push: the payload itself, `round` hops from its origin. */
export interface GossipMessage extends MessageId {
  readonly type: 'gossip'
  readonly round: number
  /** What the payload is for (`state`, `pubsub:<topic>`): upper layers pick theirs from the deliveries. */
  readonly channel: string
  readonly payload: Uint8Array
}

/** A lazy announcement: the sender has these messages; each `round` is its hop count at the sender. */
export interface Announcement extends MessageId {
  readonly round: number
}

export interface IHaveMessage {
  readonly type: 'ihave'
  readonly announcements: readonly Announcement[]
}

/** Makes the link eager again; with an id, also asks for that message (a missing branch). */
export interface GraftMessage {
  readonly type: 'graft'
  readonly id: MessageId | undefined
  readonly round: number
}

/** Makes the link lazy: the sender received a duplicate on it. */
export interface PruneMessage {
  readonly type: 'prune'
}

export type BroadcastMessage = GossipMessage | IHaveMessage | GraftMessage | PruneMessage

/** A broadcast delivered here, once (the origin's own included). */
export interface DeliveredEvent extends MessageId {
  readonly type: 'Delivered'
  readonly at: Millis
  readonly channel: string
  readonly payload: Uint8Array
  /** Hops from the origin (0 at the origin). */
  readonly hops: number
}

export type BroadcastEvent = DeliveredEvent
