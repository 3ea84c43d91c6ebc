/**
 * Overlay data: the wire messages of HyParView (Leitão, Pereira, Rodrigues, DSN 2007, §4) plus a
 * heartbeat, and the events the overlay emits. Messages and events are discriminated unions; events are
 * in the past tense.
 *
 * Departures from the paper's messages, each for a reason:
 * - NEIGHBOR carries `long` (whether the requester reached this peer at random rather than by RTT), so
 *   both ends count the link in the same class and keep the long-link quota together.
 * - NEIGHBOR_REPLY answers JOIN as well as NEIGHBOR: the paper's joiner learns it was accepted from the
 *   TCP connection the contact opens; a message-based transport needs the answer spelled out, and with it
 *   each side adds the other only once the other has (symmetric views without a connection).
 * - DISCONNECT carries `leaving`: a node that stops says so, and its neighbours forget it instead of
 *   moving it to their passive views, where repairs would only time out on it.
 * - PING/PONG are Meshwork's: the paper uses TCP as its failure detector; a simulator of a million nodes
 *   and a stream multiplexer both need an explicit one, and the round trip it measures ranks neighbours.
 * - OPTIMIZE, REPLACE, SWITCH and their replies are X-BOT's four-node exchange (Leitão et al., SRDS 2009,
 *   §4; `link-policy.ts` says how it is used): the initiator i asks its nearer passive peer c to take it
 *   in place of its farther neighbour o; c, when full, asks its own neighbour d to take o in place of
 *   c; d asks o to take d in place of i. Departures: the paper answers OPTIMIZE with OPTIMIZATION_REPLY,
 *   here NEIGHBOR_REPLY does (it is the answer to "take me as a neighbour"); OPTIMIZE carries the
 *   initiator's gain and REPLACE the largest RTT from d to o that is worth it; SWITCH and its
 *   reply agree on the class of the new link d–o, so the long-link quota survives the exchange.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'

export type NeighborPriority = 'high' | 'low'

export type OverlayMessage =
  /** Ask a contact to take the sender as a neighbour and announce it (answered by `neighbor-reply`). */
  | { readonly type: 'join' }
  /** A random walk announcing `newNode`; `ttl` hops remain. */
  | { readonly type: 'forward-join'; readonly newNode: NodeId; readonly ttl: number }
  /** Ask to become neighbours; `high` must be accepted (the sender has no neighbour left). */
  | { readonly type: 'neighbor'; readonly priority: NeighborPriority; readonly long: boolean }
  | { readonly type: 'neighbor-reply'; readonly accepted: boolean }
  /** The sender dropped this node from its active view (and stops, when `leaving`). */
  | { readonly type: 'disconnect'; readonly leaving: boolean }
  /** A random walk carrying `origin`'s sample of its views; `ttl` hops remain. */
  | {
      readonly type: 'shuffle'
      readonly origin: NodeId
      readonly ttl: number
      readonly sample: readonly NodeId[]
    }
  /** The walk's last node answers the origin directly with a sample of its passive view. */
  | { readonly type: 'shuffle-reply'; readonly sample: readonly NodeId[] }
  /**
   * Heartbeat and round-trip probe. `neighbor` says the sender holds the receiver as an active
   * neighbour; a receiver that does not hold the sender answers with a DISCONNECT, which repairs an
   * asymmetry left by a lost message.
   */
  | { readonly type: 'ping'; readonly nonce: number; readonly neighbor: boolean }
  | { readonly type: 'pong'; readonly nonce: number }
  /**
   * X-BOT's OPTIMIZATION: take the sender as a neighbour in place of its neighbour `old`; the sender's
   * RTTs to the receiver (`rttMs`) and to `old` (`oldRttMs`). Answered by `neighbor-reply`.
   */
  | { readonly type: 'optimize'; readonly old: NodeId; readonly rttMs: number; readonly oldRttMs: number }
  /**
   * X-BOT's REPLACE, from a neighbour that would drop the receiver for `initiator`: take `initiator`'s
   * neighbour `old` instead, if the receiver's RTT to `old` is below `budgetMs`.
   */
  | { readonly type: 'replace'; readonly initiator: NodeId; readonly old: NodeId; readonly budgetMs: number }
  /** The answer to `replace`: accepted means the sender took `old` and dropped the receiver. */
  | { readonly type: 'replace-reply'; readonly accepted: boolean }
  /**
   * X-BOT's SWITCH: take the sender as a neighbour in place of `initiator`; `long` when the sender needs
   * the new link to count as a long one (the link it gives up did, and it has none to spare).
   */
  | { readonly type: 'switch'; readonly initiator: NodeId; readonly long: boolean }
  /**
   * The answer to `switch`: accepted means the sender dropped `initiator` and holds the receiver, by a
   * link of class `long` (asked for by either end).
   */
  | { readonly type: 'switch-reply'; readonly accepted: boolean; readonly long: boolean }

export type OverlayMessageType = OverlayMessage['type']

export const OVERLAY_MESSAGE_TYPES: readonly OverlayMessageType[] = [
  'join',
  'forward-join',
  'neighbor',
  'neighbor-reply',
  'disconnect',
  'shuffle',
  'shuffle-reply',
  'ping',
  'pong',
  'optimize',
  'replace',
  'replace-reply',
  'switch',
  'switch-reply',
]

/** Why a neighbour left the active view. */
export type NeighborDownReason =
  /** Silent for `heartbeatTimeoutMs`. */
  | 'failed'
  /** The engine lost the connection (the paper's TCP failure detector). */
  | 'connection-lost'
  /** Membership reported it failed (when the overlay follows membership). */
  | 'member-failed'
  /** It sent DISCONNECT: it made room for someone else. */
  | 'disconnected'
  /** It left gracefully (a DISCONNECT with `leaving`, or membership's MemberLeft). */
  | 'left'
  /** This node dropped it to make room (a high-priority request, a nearer peer, a join, an exchange). */
  | 'replaced'
  /** This node is leaving. */
  | 'leaving'

export type OverlayEvent =
  | { readonly type: 'NeighborUp'; readonly at: Millis; readonly peer: NodeId; readonly long: boolean }
  | {
      readonly type: 'NeighborDown'
      readonly at: Millis
      readonly peer: NodeId
      readonly reason: NeighborDownReason
    }

export type OverlayEventType = OverlayEvent['type']
