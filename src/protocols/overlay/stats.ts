/**
 * What the overlay counts: messages by type in each direction, remote input it refused, what its bounds
 * dropped, and the repairs it made. Plain number fields (one hidden class shared by every node), no maps:
 * a million simulated nodes each carry one of these.
 */
import { OVERLAY_MESSAGE_TYPES, type OverlayMessageType } from './types.ts'

export type MessageCounts = Record<OverlayMessageType, number>

export interface OverlayStats {
  readonly sent: Readonly<MessageCounts>
  readonly received: Readonly<MessageCounts>
  /** Messages this node sent to itself, by the engine's mistake or a peer's forgery. */
  readonly rejectedFromSelf: number
  /** FORWARD_JOIN and SHUFFLE from a node that is not a neighbour. */
  readonly rejectedNotNeighbor: number
  /** A NEIGHBOR_REPLY or SHUFFLE_REPLY nobody here was waiting for. */
  readonly rejectedUnexpectedReply: number
  /** Low-priority NEIGHBOR requests this node refused because its view was full. */
  readonly requestsRefused: number
  /** Neighbours silent for the heartbeat timeout. */
  readonly failuresDetected: number
  /** Heartbeats from nodes that held this one, which did not hold them (answered with DISCONNECT). */
  readonly asymmetriesRepaired: number
  /** Passive peers that did not answer a round-trip probe (and were forgotten). */
  readonly passiveProbesFailed: number
  /** Pings to lost peers remembered (`dormant-peers.ts`). */
  readonly reprobes: number
  /** Lost peers that answered a reprobe (back to the passive view, or asked to merge). */
  readonly peersRevived: number
  /** High-priority requests to revived peers that had failed a reprobe, and those accepted. */
  readonly mergesAsked: number
  readonly merges: number
  /** Remembered lost peers displaced by newer losses. */
  readonly droppedDormant: number
  /** Free slots filled from the passive view. */
  readonly repairs: number
  /** Far neighbours swapped for nearer passive peers; near ones for random ones when long links are short. */
  readonly swaps: number
  /** Swaps this node asked for that were refused or went unanswered. */
  readonly swapsFailed: number
  /** X-BOT exchanges in which this node, as the candidate, handed a neighbour over to take the initiator. */
  readonly exchangesRelayed: number
  /** X-BOT exchanges in which this node took the initiator's old neighbour in place of the candidate. */
  readonly exchangesSwitched: number
  readonly shufflesAnswered: number
  readonly neighborsUp: number
  readonly neighborsDown: number
  readonly droppedOutbox: number
  readonly droppedEvents: number
  /** Requests not sent because the table of requests in flight was full. */
  readonly droppedHandshakes: number
}

function zeroCounts(): MessageCounts {
  const counts = {} as MessageCounts
  for (const type of OVERLAY_MESSAGE_TYPES) counts[type] = 0
  return counts
}

/** The mutable counters the core keeps; read through `OverlayStats`. */
export class OverlayCounters implements OverlayStats {
  readonly sent = zeroCounts()
  readonly received = zeroCounts()
  rejectedFromSelf = 0
  rejectedNotNeighbor = 0
  rejectedUnexpectedReply = 0
  requestsRefused = 0
  failuresDetected = 0
  asymmetriesRepaired = 0
  passiveProbesFailed = 0
  reprobes = 0
  peersRevived = 0
  mergesAsked = 0
  merges = 0
  droppedDormant = 0
  repairs = 0
  swaps = 0
  swapsFailed = 0
  exchangesRelayed = 0
  exchangesSwitched = 0
  shufflesAnswered = 0
  neighborsUp = 0
  neighborsDown = 0
  droppedOutbox = 0
  droppedEvents = 0
  droppedHandshakes = 0
}
