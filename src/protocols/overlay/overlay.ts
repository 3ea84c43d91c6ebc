/**
 * The overlay core: HyParView (Leitão, Pereira, Rodrigues, "HyParView: A Membership Protocol for
 * Reliable Gossip-Based Broadcast", DSN 2007) as a sans-IO state machine. A small symmetric active view
 * (`active-view.ts`) is what broadcast runs over; a larger passive view (`passive-view.ts`) is the pool
 * it is repaired from. Joins go through a contact and spread by FORWARD_JOIN random walks; a periodic
 * SHUFFLE walk refreshes the passive views; a neighbour that fails is replaced by a passive peer, asked
 * with high priority when no neighbour is left. Per-node state is O(view size): a million simulated nodes
 * run it without any node knowing more than its views.
 *
 * Departures from the paper, each for a reason:
 * - **Handshakes instead of TCP connections.** The paper's nodes open a TCP connection to a new
 *   neighbour and learn of failures when it breaks. Here every new link is a request and its answer
 *   (JOIN or NEIGHBOR, then NEIGHBOR_REPLY; `handshakes.ts`), and each side adds the other only at the
 *   acceptance, so views stay symmetric over any message transport. An unexpected acceptance is answered
 *   with DISCONNECT, and a heartbeat from a node that holds us but we do not hold is too, so an asymmetry
 *   left by a lost message is repaired within one heartbeat; a neighbour that probes us as a passive
 *   peer no longer holds us either, and is dropped (its probes would otherwise keep the link alive).
 * - **Its own failure detector.** A neighbour not heard from for `heartbeatTimeoutMs` has failed; any
 *   message from it counts, and a ping goes only to a neighbour silent for half an interval, so an idle
 *   link carries one ping and one pong per interval and a busy one none. The engine's `connection-lost`
 *   (the paper's detector) and, when wired, membership's MemberFailed/MemberLeft fail it at once.
 * - **Forwarded work only from neighbours.** FORWARD_JOIN and SHUFFLE travel over active links in the
 *   paper; here one from a node that is neither a neighbour nor asked to be one is refused (counted), so
 *   a stranger cannot steer walks. A stranger's JOIN and NEIGHBOR are taken as the paper takes them,
 *   which costs a bounded slot.
 * - **The active view is kept full.** The paper repairs only on failure; like hashicorp/hyparview and
 *   Partisan (random promotion), a node below `activeViewSize` asks passive peers — low priority, at most
 *   `promoteAttemptsPerRound` refusals every `promoteIntervalMs` — and a low-priority request counts this
 *   node's own requests in flight against its free slots, so acceptances do not overbook it.
 * - **Low-degree nodes insist.** The paper sends high priority only from an empty active view; here a
 *   node with fewer than `activeViewMin` neighbours does too, at once, after a whole promotion round was
 *   refused, or a small component of nodes holding only each other could never rejoin the rest (and a
 *   node left with one link misses a broadcast whenever that link loses a message).
 * - **Long links and near links** (`link-policy.ts`): `longLinks` slots stay with peers met at random
 *   (X-BOT's unbiased neighbours); the others prefer the lowest RTT measured. An eviction to make room
 *   never takes a long link while a near one could go.
 * - **X-BOT** (Leitão, Pereira, Rodrigues, "X-BOT: A Protocol for Resilient Optimization of Unstructured
 *   Overlay Networks", SRDS 2009) keeps the near links near: optimisation rounds probe passive peers'
 *   RTTs (`passiveScanLength` a round) and a full node whose farthest replaceable neighbour o is clearly
 *   farther than its nearest measured passive peer c starts X-BOT's four-node exchange, which keeps
 *   every degree (see "X-BOT's exchange" below). Departures: the exchange is requests and answers with
 *   deadlines, like every link here, and d measures its RTT to o itself (the paper assumes an oracle);
 *   c offers only a neighbour farther than the initiator, and d takes o only if nearer than both c and
 *   the initiator (the paper, and Partisan's implementation, have d compare o with c alone), so each of
 *   the four nodes gains and an exchange never hands anyone a longer link. Each new link costs the
 *   broadcast tree duplicates, so fewer, surer exchanges pay: 2 s after the broadcast runs' 5 s warm-up
 *   (1,000 nodes, seeds 1–16) 0.044 exchanges/node/s still ran, against 0.053 with d's check alone and
 *   0.060 when d took any o that kept the four links' sum falling; the first broadcast over the tree
 *   then sent 1.25, 1.27 and 1.36 payload copies per node. SWITCH and its reply agree on the class of
 *   the new link, so the long-link quota survives. Rounds come every `optimizeFastIntervalMs` after the
 *   node starts, fills its view or gains from a swap, and back off to `optimizeIntervalMs` while nothing
 *   improves (the paper and Partisan use one period); a probe that finds a nearer peer starts a swap at
 *   once.
 * - **Early shuffles.** The first shuffle comes after about `shuffleFastIntervalMs` and each next one
 *   twice as late, up to `shuffleIntervalMs`: the passive view, from which repairs and X-BOT draw,
 *   fills within seconds of a join (1,000 nodes on WAN links, 5 s after the overlay settled: 25 passive
 *   peers a node, against 5.5 with the first shuffle 5–15 s after the start).
 * - **Round trips measured as they pass.** The answer to a JOIN or NEIGHBOR request measures the link it
 *   opens (or the passive peer that refused), and a new neighbour whose RTT is unknown is pinged at
 *   once: X-BOT ranks neighbours by RTT, and waiting for the heartbeat left them unranked for seconds.
 * - **Shuffle replies** are accepted once per shuffle this node started (until the next), from whoever
 *   ends the walk; a reply that nobody asked for is refused, so no peer can flood the passive view.
 * - **Failed neighbours leave the views, refused ones stay:** a neighbour that failed or a passive peer
 *   that did not answer leaves every view (as in the paper); one that refused a low-priority request is
 *   alive and stays passive; a disconnected one moves to the passive view (the paper's rule).
 * - **Partitions heal** (the paper assumes none). A cut leaves each side's views full within itself
 *   (halves of 6 with views of 5 hold exactly their half), and nothing in HyParView asks across again:
 *   shuffles walk active links, repairs draw on passive views the cut has emptied of the other side.
 *   So a peer lost without a goodbye, when this node had heard from it first-hand (a neighbour, or a
 *   passive peer that once answered), is remembered (`dormant-peers.ts`, at most `maxDormantPeers`) and
 *   pinged again on a jittered doubling backoff up to `reprobeMaxMs`. One that answers the first
 *   reprobe was a lost message and goes back to the passive view; one that answers only after a
 *   reprobe failed was cut off and no longer is, and is asked as a long link with high priority, at
 *   most one such merge per `reprobeMaxMs`. Why this rather than the alternatives: a contact-based
 *   retry loads the few contacts with n/interval pings at a million nodes; periodically refreshing a
 *   long link from the passive view costs tree churn at every node forever, and the passive view no
 *   longer holds anyone across the cut; remembered peers cost nothing while nothing fails, at most
 *   `maxDormantPeers` pings per `reprobeMaxMs` per node while lost peers stay gone, and a heal is found
 *   by whichever of the ~5·n/2 remembered cross links is reprobed first. Membership's MemberFailed is
 *   not remembered: it is confirmed by several observers, and membership re-introduces a member back
 *   after a heal. 1,000 LAN nodes, 60 s after 10 % crashed: 0.03 reprobes/node/s, 7.03 overlay
 *   messages/node/s against 7.01 without; no fault: unchanged (7.03), no merge, the same tree.
 *
 * Remote input never throws; TTLs are clamped to this node's walk lengths; samples are cut to its
 * sample size; ids a peer names only ever enter the passive view.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'
import type { Core } from '../index.ts'
import { ActiveView } from './active-view.ts'
import { type OverlayConfig, shuffleSampleSize } from './config.ts'
import { DormantPeers } from './dormant-peers.ts'
import { type Handshake, type HandshakeKind, Handshakes } from './handshakes.ts'
import { repairCandidate, swapCandidate } from './link-policy.ts'
import { PassiveView } from './passive-view.ts'
import { OverlayCounters, type OverlayStats } from './stats.ts'
import type {
  NeighborDownReason,
  NeighborPriority,
  OverlayEvent,
  OverlayMessage,
  OverlayMessageType,
} from './types.ts'

export interface OverlayInit {
  readonly self: NodeId
  readonly config: OverlayConfig
  readonly random: Random
  /** Local time at construction. */
  readonly now: Millis
}

export interface Outgoing {
  readonly to: NodeId
  readonly message: OverlayMessage
}

/** Contacts remembered for joins (the `seeds` hint may come several times). */
const MAX_CONTACTS = 16
/** Bounds on what one input can queue; an engine drains both after every input. */
const MAX_OUTBOX = 4_096
const MAX_EVENTS = 1_024
const NEVER = Number.POSITIVE_INFINITY
/**
 * An OPTIMIZE waits this many request timeouts for its answer, the candidate's REPLACE one fewer, and each
 * of d's two steps one: the answer comes back through up to four nodes.
 */
const EXCHANGE_TIMEOUTS = 3
/**
 * A lost peer that answers a reprobe is asked to merge only once it had been found unreachable this many
 * times in a row (the loss, then a reprobe): a single lost ping or pong does not make a heal.
 */
const MERGE_AFTER_FAILURES = 2
// Shared empty lists, never written to: an idle node holds no arrays of its own for what it has not sent.
const NOTHING_SENT: Outgoing[] = []
const NO_EVENTS: OverlayEvent[] = []
const NOBODY: NodeId[] = []

// Messages without per-send fields are shared, so the simulator passes one object by reference.
const JOIN: OverlayMessage = Object.freeze({ type: 'join' })
const ACCEPTED: OverlayMessage = Object.freeze({ type: 'neighbor-reply', accepted: true })
const REFUSED: OverlayMessage = Object.freeze({ type: 'neighbor-reply', accepted: false })
const DISCONNECT: OverlayMessage = Object.freeze({ type: 'disconnect', leaving: false })
const REPLACE_ACCEPTED: OverlayMessage = Object.freeze({ type: 'replace-reply', accepted: true })
const REPLACE_REFUSED: OverlayMessage = Object.freeze({ type: 'replace-reply', accepted: false })
const SWITCH_ACCEPTED: OverlayMessage = Object.freeze({ type: 'switch-reply', accepted: true, long: false })
const SWITCH_ACCEPTED_LONG: OverlayMessage = Object.freeze({
  type: 'switch-reply',
  accepted: true,
  long: true,
})
const SWITCH_REFUSED: OverlayMessage = Object.freeze({ type: 'switch-reply', accepted: false, long: false })
const GOODBYE: OverlayMessage = Object.freeze({ type: 'disconnect', leaving: true })
const NEIGHBOR_REQUESTS: Readonly<Record<NeighborPriority, readonly [OverlayMessage, OverlayMessage]>> = {
  high: [
    Object.freeze({ type: 'neighbor', priority: 'high', long: false }),
    Object.freeze({ type: 'neighbor', priority: 'high', long: true }),
  ],
  low: [
    Object.freeze({ type: 'neighbor', priority: 'low', long: false }),
    Object.freeze({ type: 'neighbor', priority: 'low', long: true }),
  ],
}

/** A round-trip probe of a passive peer in flight. */
interface Probe {
  readonly peer: NodeId
  readonly nonce: number
  readonly sentAt: Millis
}
const NO_PROBES: Probe[] = []

/** X-BOT's candidate c: it asked its neighbour `peer` (d) to take `initiator`'s old neighbour. */
interface Relay {
  readonly initiator: NodeId
  readonly peer: NodeId
  readonly deadline: Millis
}

/**
 * X-BOT's d: asked by its neighbour `candidate` (c) to take `old` (o) in place of c. It first measures
 * its RTT to o (`probing`), then asks o to take it in place of `initiator` (`switching`).
 */
interface Takeover {
  readonly candidate: NodeId
  readonly initiator: NodeId
  readonly old: NodeId
  /** d needs the link d–o to count as long (the link to c did, and d has none to spare). */
  readonly long: boolean
  /** d takes o only if its RTT to o is below this. */
  readonly budgetMs: number
  stage: 'probing' | 'switching'
  /** d's RTT to o, once measured. */
  rttMs: number
  nonce: number
  sentAt: Millis
  deadline: Millis
}

export class Overlay implements Core<OverlayMessage, OverlayMessage, OverlayEvent> {
  readonly id: NodeId
  readonly config: OverlayConfig
  private readonly random: Random
  private readonly active: ActiveView
  private readonly passive: PassiveView
  private readonly dormant: DormantPeers
  private readonly handshakes: Handshakes
  private readonly counters = new OverlayCounters()
  private readonly contacts: NodeId[] = []
  private nextContact = 0
  private leaving = false

  // timers, as local times (NEVER when not armed)
  private roundAt: Millis
  private shuffleAt: Millis
  private shuffleDelay: Millis
  private optimizeAt: Millis
  private promoteAt: Millis = NEVER
  private joinAt: Millis = NEVER
  /** A revived peer may be asked to merge from then on (one merge link per `reprobeMaxMs`). */
  private mergeAllowedAt: Millis = -NEVER

  /** The peers that refused in the current promotion round (not asked again in it). */
  private refusedThisRound: NodeId[] = NOBODY
  /** Whether the last promotion round ended refused throughout (a low-degree node then insists). */
  private lastRoundRefused = false
  /** The passive ids sent in the last shuffle: evicted first when its reply arrives. */
  private shuffleSent: readonly NodeId[] = []
  /** A shuffle reply is accepted until then (once). */
  private shuffleReplyUntil: Millis = -NEVER
  /** The passive peers whose RTT is being probed (at most `passiveScanLength`). */
  private probes: Probe[] = NO_PROBES
  /** Wait before the next optimisation round: doubles after every round, back to the fast interval on a gain. */
  private optimizeDelay: Millis
  /** Whether the active view was full at the last round (filling it restarts the fast rounds). */
  private fullAtLastRound = false
  /** Swaps this round may still start, and the candidates that refused one since the round began. */
  private swapsLeft = 0
  private refusedSwaps: NodeId[] = NOBODY
  /** This node's part in someone's exchange, as X-BOT's candidate (`relay`) or its d (`takeover`). */
  private relay: Relay | undefined
  private takeover: Takeover | undefined

  private outbox: Outgoing[] = NOTHING_SENT
  private events: OverlayEvent[] = NO_EVENTS

  constructor(init: OverlayInit) {
    this.id = init.self
    this.config = init.config
    this.random = init.random
    this.active = new ActiveView(init.config.activeViewSize)
    this.passive = new PassiveView(init.config.passiveViewSize, init.random)
    const { maxDormantPeers, reprobeBaseMs, reprobeMaxMs } = init.config
    this.dormant = new DormantPeers(maxDormantPeers, reprobeBaseMs, reprobeMaxMs, init.random)
    // a walk may end here while this node repairs and swaps: room for a few of each
    this.handshakes = new Handshakes(init.config.activeViewSize + 3)
    // random phases, so nodes started together do not ping and shuffle in lockstep
    const { heartbeatIntervalMs, shuffleFastIntervalMs, optimizeFastIntervalMs } = init.config
    this.roundAt = init.now + this.random.float() * heartbeatIntervalMs
    this.shuffleDelay = shuffleFastIntervalMs
    this.shuffleAt = init.now + (0.5 + this.random.float()) * shuffleFastIntervalMs
    this.optimizeDelay = optimizeFastIntervalMs
    this.optimizeAt = init.now + (0.5 + this.random.float()) * optimizeFastIntervalMs
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────────────

  activeView(): NodeId[] {
    return this.active.ids()
  }

  passiveView(): NodeId[] {
    return this.passive.ids()
  }

  isNeighbor(id: NodeId): boolean {
    return this.active.has(id)
  }

  /** Peers lost without a goodbye and remembered, to be asked again (`dormant-peers.ts`). */
  dormantPeers(): NodeId[] {
    return this.dormant.ids()
  }

  /**
   * Whether `id` is a neighbour, a passive peer, a lost peer remembered, has a request or probe of this
   * node in flight, or takes part in an exchange this node is in.
   */
  knows(id: NodeId): boolean {
    return (
      this.active.has(id) ||
      this.passive.has(id) ||
      this.dormant.has(id) ||
      this.handshakes.find(id) !== undefined ||
      this.probeOf(id) >= 0 ||
      this.involved(id)
    )
  }

  /** The neighbours with their link class and smoothed RTT (NaN when unmeasured). */
  neighbors(): { readonly id: NodeId; readonly long: boolean; readonly rttMs: number }[] {
    const out = []
    for (let i = 0; i < this.active.size; i++) {
      out.push({ id: this.active.idAt(i), long: this.active.isLong(i), rttMs: this.active.rttAt(i) })
    }
    return out
  }

  roundTripMs(id: NodeId): number | undefined {
    const index = this.active.indexOf(id)
    const rtt = index >= 0 ? this.active.rttAt(index) : this.passive.rttOf(id)
    return rtt === undefined || Number.isNaN(rtt) ? undefined : rtt
  }

  get activeCount(): number {
    return this.active.size
  }

  get longLinkCount(): number {
    return this.active.longCount()
  }

  get handshakesInFlight(): number {
    return this.handshakes.size
  }

  get isLeaving(): boolean {
    return this.leaving
  }

  get stats(): OverlayStats {
    return this.counters
  }

  // ── the core contract ───────────────────────────────────────────────────────────────────────────────

  nextDeadline(): Millis | undefined {
    if (this.leaving) return undefined
    let at = Math.min(this.roundAt, this.shuffleAt, this.optimizeAt, this.promoteAt, this.joinAt)
    if (this.handshakes.size > 0) at = Math.min(at, this.handshakes.earliestDeadline())
    for (const probe of this.probes) at = Math.min(at, probe.sentAt + this.config.neighborTimeoutMs)
    if (this.dormant.size > 0) at = Math.min(at, this.dormant.earliestDeadline(this.config.neighborTimeoutMs))
    if (this.relay !== undefined) at = Math.min(at, this.relay.deadline)
    if (this.takeover !== undefined) at = Math.min(at, this.takeover.deadline)
    return at === NEVER ? undefined : at
  }

  tick(now: Millis): void {
    if (this.leaving) return
    for (
      let expired = this.handshakes.takeExpired(now);
      expired;
      expired = this.handshakes.takeExpired(now)
    ) {
      this.handshakeFailed(now, expired, true)
    }
    if (this.probes.length > 0) this.expireProbes(now)
    if (this.dormant.size > 0) this.reprobe(now)
    if (this.relay !== undefined && now >= this.relay.deadline) {
      // d never answered: the initiator hears no more than a refusal
      this.send(this.relay.initiator, REFUSED)
      this.relay = undefined
    }
    if (this.takeover !== undefined && now >= this.takeover.deadline) {
      this.send(this.takeover.candidate, REPLACE_REFUSED)
      this.takeover = undefined
    }
    if (now >= this.roundAt) {
      this.roundAt = now + this.config.heartbeatIntervalMs
      this.heartbeat(now)
    }
    if (now >= this.shuffleAt) {
      this.shuffleDelay = Math.min(2 * this.shuffleDelay, this.config.shuffleIntervalMs)
      this.shuffleAt = now + this.shuffleDelay
      this.startShuffle(now)
    }
    if (now >= this.optimizeAt) this.optimize(now)
    if (now >= this.joinAt) {
      this.joinAt = NEVER
      this.tryJoin(now)
    }
    if (now >= this.promoteAt) {
      this.promoteAt = NEVER
      this.promote(now)
    }
  }

  receive(now: Millis, from: NodeId, message: OverlayMessage): void {
    if (from === this.id) {
      this.counters.rejectedFromSelf++
      return
    }
    this.counters.received[message.type]++
    if (this.leaving) {
      this.answerWhileLeaving(from, message)
      return
    }
    const neighbor = this.active.indexOf(from)
    if (neighbor >= 0) this.active.heard(neighbor, now)
    switch (message.type) {
      case 'join':
        this.onJoin(now, from)
        return
      case 'forward-join':
        this.onForwardJoin(now, from, message.newNode, message.ttl)
        return
      case 'neighbor':
        this.onNeighbor(now, from, message.priority, message.long)
        return
      case 'neighbor-reply':
        this.onNeighborReply(now, from, message.accepted)
        return
      case 'disconnect':
        this.onDisconnect(now, from, message.leaving)
        return
      case 'shuffle':
        this.onShuffle(from, message.origin, message.ttl, message.sample)
        return
      case 'shuffle-reply':
        this.onShuffleReply(now, message.sample)
        return
      case 'ping':
        this.onPing(now, from, message.nonce, message.neighbor)
        return
      case 'pong':
        this.onPong(now, from, message.nonce, neighbor)
        return
      case 'optimize':
        this.onOptimize(now, from, message.old, message.rttMs, message.oldRttMs)
        return
      case 'replace':
        this.onReplace(now, from, message.initiator, message.old, message.budgetMs)
        return
      case 'replace-reply':
        this.onReplaceReply(now, from, message.accepted)
        return
      case 'switch':
        this.onSwitch(now, from, message.initiator, message.long)
        return
      case 'switch-reply':
        this.onSwitchReply(now, from, message.accepted, message.long)
        return
    }
  }

  takeOutbox(): readonly Outgoing[] {
    const out = this.outbox
    this.outbox = NOTHING_SENT
    return out
  }

  takeEvents(): readonly OverlayEvent[] {
    const out = this.events
    this.events = NO_EVENTS
    return out
  }

  // ── local inputs (engine hints, subscriptions) ──────────────────────────────────────────────────────

  /** Joins through `contacts` (the `seeds` hint), one at a time, until one accepts. */
  join(now: Millis, contacts: readonly NodeId[]): void {
    for (const contact of contacts) {
      if (contact === this.id || this.contacts.includes(contact) || this.contacts.length >= MAX_CONTACTS)
        continue
      this.contacts.push(contact)
    }
    this.tryJoin(now)
  }

  /** A peer found by discovery (or membership): a passive peer, asked at once if this node has no neighbour. */
  introduce(now: Millis, peer: NodeId): void {
    if (this.leaving) return
    this.addPassive(peer)
    if (this.active.size === 0) this.promoteSoon(now)
  }

  /** The engine lost its connection to `peer`: a neighbour has failed; a request to it has too. */
  connectionLost(now: Millis, peer: NodeId): void {
    if (this.leaving) return
    const handshake = this.handshakes.take(peer)
    if (handshake !== undefined) this.handshakeFailed(now, handshake, true)
    if (this.active.has(peer)) this.dropNeighbor(now, peer, 'connection-lost', false)
  }

  /** Membership reports `peer` failed or left: it leaves every view. */
  peerGone(now: Millis, peer: NodeId, reason: 'member-failed' | 'left'): void {
    if (this.leaving) return
    const handshake = this.handshakes.take(peer)
    if (handshake !== undefined) this.handshakeFailed(now, handshake, true)
    if (this.active.has(peer)) this.dropNeighbor(now, peer, reason, false)
    this.passive.remove(peer)
    if (reason === 'left') this.dormant.remove(peer)
  }

  /** This node is stopping: says goodbye to every neighbour and goes quiet. */
  leave(now: Millis): void {
    if (this.leaving) return
    for (const id of this.active.ids()) {
      this.send(id, GOODBYE)
      this.active.remove(id)
      this.emit({ type: 'NeighborDown', at: now, peer: id, reason: 'leaving' })
    }
    this.handshakes.clear()
    this.probes = NO_PROBES
    this.relay = undefined
    this.takeover = undefined
    this.leaving = true
  }

  // ── joining (§4.1: JOIN, FORWARD_JOIN) ───────────────────────────────────────────────────────────────

  private tryJoin(now: Millis): void {
    if (this.leaving || this.active.size > 0 || this.contacts.length === 0) return
    if (this.handshakes.hasKind('join')) return
    const contact = this.contacts[this.nextContact++ % this.contacts.length] as NodeId
    this.request(now, contact, 'join', true, undefined, JOIN)
  }

  private onJoin(now: Millis, from: NodeId): void {
    // a repeated JOIN (its answer was lost) is answered again, without announcing the joiner twice
    if (this.active.has(from)) {
      this.send(from, ACCEPTED)
      return
    }
    this.send(from, ACCEPTED)
    this.addNeighbor(now, from, true, undefined)
    const ttl = this.config.activeRandomWalkLength
    for (let i = 0; i < this.active.size; i++) {
      const id = this.active.idAt(i)
      if (id !== from) this.send(id, { type: 'forward-join', newNode: from, ttl })
    }
  }

  private onForwardJoin(now: Millis, from: NodeId, newNode: NodeId, wireTtl: number): void {
    if (!this.isNeighborOrAsked(from)) {
      this.counters.rejectedNotNeighbor++
      return
    }
    if (newNode === this.id) return
    const ttl = Math.min(wireTtl, this.config.activeRandomWalkLength)
    const next =
      ttl === 0 || this.active.size === 1 ? undefined : this.active.pick(this.random, from, newNode)
    if (next === undefined) {
      this.acceptWalk(now, newNode)
      return
    }
    if (ttl === this.config.passiveRandomWalkLength) this.addPassive(newNode)
    this.send(next, { type: 'forward-join', newNode, ttl: ttl - 1 })
  }

  /** The walk ends here: ask the joiner to be neighbours (it cannot refuse a high-priority request). */
  private acceptWalk(now: Millis, newNode: NodeId): void {
    if (this.active.has(newNode) || this.handshakes.find(newNode) !== undefined) return
    this.request(now, newNode, 'walk', true, undefined, NEIGHBOR_REQUESTS.high[1])
  }

  // ── neighbour requests (§4.3) ───────────────────────────────────────────────────────────────────────

  private onNeighbor(now: Millis, from: NodeId, priority: NeighborPriority, long: boolean): void {
    if (this.active.has(from)) {
      this.send(from, ACCEPTED)
      return
    }
    if (priority === 'low' && this.bookedSlots() >= this.config.activeViewSize) {
      this.counters.requestsRefused++
      this.send(from, REFUSED)
      return
    }
    this.send(from, ACCEPTED)
    this.addNeighbor(now, from, long, undefined)
  }

  private onNeighborReply(now: Millis, from: NodeId, accepted: boolean): void {
    const handshake = this.handshakes.take(from)
    if (handshake === undefined) {
      // our request timed out and we moved on; the peer took us, so undo that on its side
      if (accepted && !this.active.has(from)) {
        this.counters.rejectedUnexpectedReply++
        this.send(from, DISCONNECT)
      }
      return
    }
    // an answer that comes straight back measures the link; a swap's may have crossed an exchange
    const rtt = handshake.kind === 'swap' ? Number.NaN : now - handshake.sentAt
    if (accepted) {
      this.addNeighbor(now, from, handshake.long, handshake.replaces, rtt)
      if (handshake.kind === 'repair') {
        this.refusedThisRound = NOBODY
        this.lastRoundRefused = false
        this.counters.repairs++
        if (!this.active.isFull) this.promoteSoon(now)
      }
      if (handshake.kind === 'merge') this.counters.merges++
      if (handshake.kind === 'swap') {
        this.counters.swaps++
        // something improved: look again soon
        this.optimizeDelay = this.config.optimizeFastIntervalMs
        this.optimizeAt = Math.min(this.optimizeAt, now + this.optimizeDelay)
      }
      return
    }
    if (!Number.isNaN(rtt)) this.passive.setRtt(from, rtt)
    this.handshakeFailed(now, handshake, false)
  }

  /** A request that was refused (`dead` false) or went unanswered (`dead` true). */
  private handshakeFailed(now: Millis, handshake: Handshake, dead: boolean): void {
    if (handshake.kind === 'swap') {
      // an exchange spans four nodes, so silence does not prove the candidate dead: it is measured again
      // before it is asked again, and a dead one fails that probe
      if (dead) this.passive.setRtt(handshake.peer, Number.NaN)
      this.counters.swapsFailed++
      if (this.refusedSwaps === NOBODY) this.refusedSwaps = []
      this.refusedSwaps.push(handshake.peer)
      this.trySwap(now)
      return
    }
    if (dead) this.lost(now, handshake.peer, handshake.kind === 'merge' || this.heardFrom(handshake.peer))
    switch (handshake.kind) {
      case 'join':
        this.joinAt = Math.min(this.joinAt, now + this.config.joinRetryMs)
        return
      case 'repair':
        if (!dead) {
          if (this.refusedThisRound === NOBODY) this.refusedThisRound = []
          this.refusedThisRound.push(handshake.peer)
        }
        if (this.refusedThisRound.length >= this.config.promoteAttemptsPerRound) {
          this.refusedThisRound = NOBODY
          this.lastRoundRefused = true
          // a node below the minimum asks again at once, now with high priority (which cannot be
          // refused), rather than a round later: a node left with one neighbour is one failure from
          // isolation, and one lost message from missing a broadcast
          if (this.active.size < Math.max(1, this.config.activeViewMin)) this.promoteSoon(now)
          else this.promoteAt = now + this.config.promoteIntervalMs
        } else this.promoteSoon(now)
        return
      case 'walk':
      case 'merge':
        return
    }
  }

  private onDisconnect(now: Millis, from: NodeId, leaving: boolean): void {
    const handshake = this.handshakes.take(from)
    if (handshake !== undefined) this.handshakeFailed(now, handshake, leaving)
    // an exchange waiting on a node that left it ends now rather than at its deadline
    if (this.relay?.peer === from) {
      this.send(this.relay.initiator, REFUSED)
      this.relay = undefined
    }
    const takeover = this.takeover
    if (takeover !== undefined && (takeover.candidate === from || takeover.old === from)) {
      this.send(takeover.candidate, REPLACE_REFUSED)
      this.takeover = undefined
    }
    if (this.active.has(from)) this.dropNeighbor(now, from, leaving ? 'left' : 'disconnected', !leaving)
    if (leaving) {
      this.passive.remove(from)
      this.dormant.remove(from)
    }
  }

  // ── repair and optimisation ─────────────────────────────────────────────────────────────────────────

  /**
   * One promotion attempt (§4.3): a passive peer for a free slot, high priority when none is left — or
   * when fewer than `activeViewMin` are and a whole round was refused (Meshwork's, see `config.ts`).
   */
  private promote(now: Millis): void {
    if (this.leaving || this.active.isFull || this.handshakes.hasKind('repair', 'swap')) return
    const candidate = repairCandidate(this.active, this.passive, this.config, this.excluded)
    if (candidate === undefined) {
      // every passive peer refused (or was asked): the round ends refused, however short the pool
      if (this.refusedThisRound.length > 0) this.lastRoundRefused = true
      this.refusedThisRound = NOBODY
      if (this.active.size === 0) this.tryJoin(now)
      this.promoteAt = now + this.config.promoteIntervalMs
      return
    }
    const insist = this.active.size < this.config.activeViewMin && this.lastRoundRefused
    const priority: NeighborPriority = this.active.size === 0 || insist ? 'high' : 'low'
    const message = NEIGHBOR_REQUESTS[priority][candidate.long ? 1 : 0]
    if (!this.request(now, candidate.peer, 'repair', candidate.long, undefined, message)) {
      this.promoteAt = now + this.config.promoteIntervalMs
    }
  }

  private promoteSoon(now: Millis): void {
    if (!this.leaving) this.promoteAt = Math.min(this.promoteAt, now)
  }

  /** Peers a pick must skip: those already asked, and those that refused in this promotion round. */
  private readonly excluded = (id: NodeId): boolean =>
    this.handshakes.find(id) !== undefined || this.refusedThisRound.includes(id)

  /**
   * One optimisation round (X-BOT's periodic step): probes the RTT of up to `passiveScanLength` passive
   * peers never measured (or of one measured before, when all are), and starts a swap if a measured
   * passive peer is clearly nearer than the farthest replaceable neighbour. Rounds come at the fast
   * interval after the node starts, fills its view or gains from a swap, and back off to
   * `optimizeIntervalMs` while nothing improves.
   */
  private optimize(now: Millis): void {
    const { optimizeIntervalMs, optimizeFastIntervalMs, passiveScanLength } = this.config
    const full = this.active.isFull
    if (full && !this.fullAtLastRound) this.optimizeDelay = optimizeFastIntervalMs
    this.fullAtLastRound = full
    this.optimizeAt = now + this.optimizeDelay
    this.optimizeDelay = Math.min(2 * this.optimizeDelay, optimizeIntervalMs)
    // predicates made per round rather than held per node: a closure field costs every node its bytes
    const notToProbe = (id: NodeId): boolean => this.notToProbe(id)
    let probed = false
    while (this.probes.length < passiveScanLength) {
      const peer = this.passive.pickUnmeasured(notToProbe)
      if (peer === undefined) break
      this.probe(now, peer)
      probed = true
    }
    if (!probed && this.probes.length < passiveScanLength) {
      const peer = this.passive.pickRandom(notToProbe)
      if (peer !== undefined) this.probe(now, peer)
    }
    this.refusedSwaps = NOBODY
    this.swapsLeft = passiveScanLength
    this.trySwap(now)
  }

  /** Starts a swap when one is worth it and none is in flight (at most `swapsLeft` per round). */
  private trySwap(now: Millis): void {
    if (this.leaving || this.swapsLeft <= 0 || this.handshakes.hasKind('repair', 'swap')) return
    const swap = swapCandidate(
      this.active,
      this.passive,
      this.config,
      this.random,
      (id) => this.notToSwap(id),
      (id) => this.kept(id),
    )
    if (swap === undefined) return
    this.swapsLeft--
    const message: OverlayMessage = swap.long
      ? NEIGHBOR_REQUESTS.low[1]
      : { type: 'optimize', old: swap.replaces, rttMs: swap.rttMs, oldRttMs: swap.replacesRttMs }
    // the answer to an OPTIMIZE may wait on two more nodes and four more links
    const timeout = swap.long ? undefined : EXCHANGE_TIMEOUTS * this.config.neighborTimeoutMs
    this.request(now, swap.peer, 'swap', swap.long, swap.replaces, message, timeout)
  }

  /** Passive peers a probe skips: those probed already, asked already, or part of an exchange. */
  private notToProbe(id: NodeId): boolean {
    return this.probeOf(id) >= 0 || this.handshakes.find(id) !== undefined || this.involved(id)
  }

  /** Passive peers a swap skips: those asked already, refused this round, or being probed. */
  private notToSwap(id: NodeId): boolean {
    return this.excluded(id) || this.refusedSwaps.includes(id) || this.probeOf(id) >= 0 || this.involved(id)
  }

  /** Neighbours an exchange must not drop: those another request or exchange of this node counts on. */
  private kept(id: NodeId): boolean {
    return this.handshakes.replacing(id) || this.involved(id)
  }

  /** Whether `id` takes part in an exchange this node is in as candidate or as d. */
  private involved(id: NodeId): boolean {
    const relay = this.relay
    const takeover = this.takeover
    return (
      (relay !== undefined && (relay.initiator === id || relay.peer === id)) ||
      (takeover !== undefined &&
        (takeover.candidate === id || takeover.old === id || takeover.initiator === id))
    )
  }

  private probe(now: Millis, peer: NodeId): void {
    const nonce = this.random.nextU32()
    if (this.probes === NO_PROBES) this.probes = []
    this.probes.push({ peer, nonce, sentAt: now })
    this.send(peer, { type: 'ping', nonce, neighbor: false })
  }

  private probeOf(id: NodeId): number {
    for (let i = 0; i < this.probes.length; i++) if ((this.probes[i] as Probe).peer === id) return i
    return -1
  }

  /** Forgets the probe at `index`; an idle node keeps no array of its own for probes. */
  private dropProbe(index: number): void {
    this.probes.splice(index, 1)
    if (this.probes.length === 0) this.probes = NO_PROBES
  }

  private expireProbes(now: Millis): void {
    const timeout = this.config.neighborTimeoutMs
    for (let i = this.probes.length - 1; i >= 0; i--) {
      const probe = this.probes[i] as Probe
      if (now < probe.sentAt + timeout) continue
      // silent on a probe: as dead as a repair that timed out
      this.lost(now, probe.peer, this.heardFrom(probe.peer))
      this.dropProbe(i)
      this.counters.passiveProbesFailed++
    }
  }

  // ── merging after a partition (Meshwork's; see the header) ─────────────────────────────────────────

  /** Whether this node has heard from passive peer `id` itself (it answered a probe or a request, or was a neighbour). */
  private heardFrom(id: NodeId): boolean {
    const rtt = this.passive.rttOf(id)
    return rtt !== undefined && !Number.isNaN(rtt)
  }

  /**
   * `peer` is unreachable: it leaves the passive view, and when this node has heard from it first-hand
   * it is remembered to be asked again (ids a peer merely named, perhaps made up, are not).
   */
  private lost(now: Millis, peer: NodeId, heard: boolean): void {
    this.passive.remove(peer)
    if (heard && !this.leaving && this.dormant.add(peer, now)) this.counters.droppedDormant++
  }

  /** Pings the lost peers whose reprobe is due (a passive probe's ping: `neighbor` false). */
  private reprobe(now: Millis): void {
    this.dormant.poll(now, this.config.neighborTimeoutMs, (peer, nonce) => {
      this.counters.reprobes++
      this.send(peer, { type: 'ping', nonce, neighbor: false })
    })
  }

  /**
   * A lost peer answered. Lost once, it was a lost message: back to the passive view. Found unreachable
   * again by a reprobe, it was cut off, and now is not: the cut may have healed, and both sides may have
   * filled their views within themselves, so no repair would ever cross it. This node then asks it with
   * high priority (which a full peer cannot refuse), as a long link: a link to a peer met by chance, as
   * X-BOT's unbiased links are, and one eviction at each end. At most one such request per
   * `reprobeMaxMs`: each side of a healed cut holds many such peers, and a few links merge the two.
   */
  private revived(now: Millis, peer: NodeId, failures: number, rttMs: number): void {
    this.counters.peersRevived++
    if (this.active.has(peer)) return
    this.passive.add(peer, rttMs)
    const merge =
      failures >= MERGE_AFTER_FAILURES &&
      now >= this.mergeAllowedAt &&
      this.handshakes.find(peer) === undefined &&
      !this.involved(peer)
    if (!merge) return
    if (this.request(now, peer, 'merge', true, undefined, NEIGHBOR_REQUESTS.high[1])) {
      this.counters.mergesAsked++
      this.mergeAllowedAt = now + this.config.reprobeMaxMs
    }
  }

  // ── X-BOT's exchange (Leitão et al., SRDS 2009, §4) ─────────────────────────────────────────────────
  //
  // i (the initiator) asks its nearer passive peer c to take it in place of its farther neighbour o
  // (OPTIMIZE). c asks its farthest replaceable neighbour d, if d is farther from c than i is, to take o
  // in place of c (REPLACE). d measures its RTT to o and, if o is nearer to it than c and than i, asks o
  // to take d in place of i (SWITCH). Every acceptance travels back (SWITCH_REPLY, REPLACE_REPLY,
  // NEIGHBOR_REPLY), and each node swaps one neighbour for another as it passes, so no degree changes:
  // i–o and c–d become i–c and d–o, and each of the four trades a link for a shorter one. A refusal or
  // a silence anywhere ends the exchange with nothing changed, except past o's switch, where the
  // heartbeat's asymmetry repair undoes what is left over. A c that has nothing to offer but a free slot
  // takes i outright (the paper's first case), and o then repairs its own view.

  /**
   * c: `initiator` asks to be taken in place of its neighbour `old`; `rttMs` is its RTT to this node,
   * `oldRttMs` its RTT to `old`. c offers its farthest replaceable neighbour d — only one farther from c
   * than the initiator is — the initiator's `old` in exchange, on terms under which d and o gain too:
   * d takes o only if nearer to it than both c and the initiator are. With nothing to offer and a free
   * slot, c takes the initiator outright (and o repairs its own view, as after any DISCONNECT).
   */
  private onOptimize(now: Millis, initiator: NodeId, old: NodeId, rttMs: number, oldRttMs: number): void {
    if (this.active.has(initiator)) {
      this.send(initiator, ACCEPTED)
      return
    }
    const asked = this.handshakes.find(initiator) !== undefined
    const busy = asked || this.relay !== undefined || this.takeover !== undefined || old === this.id
    const drop = busy
      ? undefined
      : this.active.farthestReplaceable(
          this.config.longLinks,
          (id) => id === old || this.kept(id) || this.handshakes.find(id) !== undefined,
        )
    if (drop !== undefined && drop.rttMs > rttMs) {
      this.relay = {
        initiator,
        peer: drop.id,
        deadline: now + (EXCHANGE_TIMEOUTS - 1) * this.config.neighborTimeoutMs,
      }
      const budgetMs = Math.min(drop.rttMs, oldRttMs)
      this.send(drop.id, { type: 'replace', initiator, old, budgetMs })
      return
    }
    if (!asked && this.bookedSlots() < this.config.activeViewSize) {
      this.send(initiator, ACCEPTED)
      this.addNeighbor(now, initiator, false, undefined)
      return
    }
    this.counters.requestsRefused++
    this.send(initiator, REFUSED)
  }

  /** d: neighbour `candidate` would drop this node for `initiator`; take `old` instead if near enough. */
  private onReplace(now: Millis, candidate: NodeId, initiator: NodeId, old: NodeId, budgetMs: number): void {
    const index = this.active.indexOf(candidate)
    const refuse =
      index < 0 ||
      this.relay !== undefined ||
      this.takeover !== undefined ||
      old === this.id ||
      initiator === this.id ||
      this.active.has(old) ||
      this.handshakes.find(old) !== undefined ||
      this.handshakes.replacing(candidate)
    if (refuse) {
      this.send(candidate, REPLACE_REFUSED)
      return
    }
    const takeover: Takeover = {
      candidate,
      initiator,
      old,
      // giving up a long link with none to spare, d needs the new one to count as long
      long: this.active.isLong(index) && this.active.longCount() <= this.config.longLinks,
      budgetMs,
      stage: 'probing',
      rttMs: Number.NaN,
      nonce: this.random.nextU32(),
      sentAt: now,
      deadline: now + this.config.neighborTimeoutMs,
    }
    this.takeover = takeover
    const known = this.passive.rttOf(old)
    if (known !== undefined && !Number.isNaN(known)) {
      this.measuredOld(now, takeover, known)
      return
    }
    this.send(old, { type: 'ping', nonce: takeover.nonce, neighbor: false })
  }

  /** d knows its RTT to o: asks o to switch, or refuses when the exchange would not shorten the links. */
  private measuredOld(now: Millis, takeover: Takeover, rttMs: number): void {
    takeover.rttMs = rttMs
    if (rttMs >= takeover.budgetMs) {
      this.takeover = undefined
      this.send(takeover.candidate, REPLACE_REFUSED)
      return
    }
    takeover.stage = 'switching'
    takeover.deadline = now + this.config.neighborTimeoutMs
    this.send(takeover.old, { type: 'switch', initiator: takeover.initiator, long: takeover.long })
  }

  /** o: `from` asks to take the place of neighbour `initiator` (which is dropping this node for a nearer one). */
  private onSwitch(now: Millis, from: NodeId, initiator: NodeId, dNeedsLong: boolean): void {
    const refuse =
      !this.active.has(initiator) ||
      this.active.has(from) ||
      from === initiator ||
      this.handshakes.find(from) !== undefined ||
      this.kept(initiator) ||
      this.involved(from)
    if (refuse) {
      this.send(from, SWITCH_REFUSED)
      return
    }
    // so does o, when the link it gives up is one of its long ones and it has none to spare
    const index = this.active.indexOf(initiator)
    const long = dNeedsLong || (this.active.isLong(index) && this.active.longCount() <= this.config.longLinks)
    this.send(initiator, DISCONNECT)
    this.dropNeighbor(now, initiator, 'replaced', true)
    this.send(from, long ? SWITCH_ACCEPTED_LONG : SWITCH_ACCEPTED)
    this.addNeighbor(now, from, long, undefined)
  }

  /** d: o switched (or not); d takes o in place of c and tells c, which then takes the initiator. */
  private onSwitchReply(now: Millis, from: NodeId, accepted: boolean, long: boolean): void {
    const takeover = this.takeover
    if (takeover === undefined || takeover.stage !== 'switching' || takeover.old !== from) {
      // our takeover timed out and c was told so; o took us anyway, so undo that on its side
      if (accepted && !this.active.has(from)) {
        this.counters.rejectedUnexpectedReply++
        this.send(from, DISCONNECT)
      }
      return
    }
    this.takeover = undefined
    if (!accepted) {
      this.send(takeover.candidate, REPLACE_REFUSED)
      return
    }
    if (this.active.has(takeover.candidate)) this.dropNeighbor(now, takeover.candidate, 'replaced', true)
    this.addNeighbor(now, from, long, undefined, takeover.rttMs)
    this.send(takeover.candidate, REPLACE_ACCEPTED)
    this.counters.exchangesSwitched++
  }

  /** c: d took o in place of this node (or would not); c takes the initiator in d's place. */
  private onReplaceReply(now: Millis, from: NodeId, accepted: boolean): void {
    const relay = this.relay
    if (relay === undefined || relay.peer !== from) {
      // our relay timed out, yet d went ahead and dropped us: follow it
      if (accepted && this.active.has(from)) {
        this.counters.rejectedUnexpectedReply++
        this.dropNeighbor(now, from, 'disconnected', true)
      }
      return
    }
    this.relay = undefined
    if (!accepted) {
      this.counters.requestsRefused++
      this.send(relay.initiator, REFUSED)
      return
    }
    if (this.active.has(from)) this.dropNeighbor(now, from, 'replaced', true)
    this.send(relay.initiator, ACCEPTED)
    this.addNeighbor(now, relay.initiator, false, undefined)
    this.counters.exchangesRelayed++
  }

  // ── heartbeat ───────────────────────────────────────────────────────────────────────────────────────

  private heartbeat(now: Millis): void {
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.config
    // backwards: a removal swaps the last entry (already visited) into the current slot
    for (let i = this.active.size - 1; i >= 0; i--) {
      const silentMs = now - this.active.heardAt(i)
      if (silentMs >= heartbeatTimeoutMs) {
        this.counters.failuresDetected++
        this.dropNeighbor(now, this.active.idAt(i), 'failed', false)
      } else if (silentMs >= heartbeatIntervalMs / 2 || this.active.unmeasured(i, now, heartbeatIntervalMs)) {
        this.ping(now, i)
      }
    }
    if (!this.active.isFull && this.promoteAt === NEVER && !this.handshakes.hasKind('repair')) {
      this.promoteSoon(now)
    }
    if (this.active.size === 0 && this.passive.size === 0 && this.joinAt === NEVER) this.tryJoin(now)
  }

  private ping(now: Millis, index: number): void {
    const nonce = this.random.nextU32()
    this.active.pinged(index, nonce, now)
    this.send(this.active.idAt(index), { type: 'ping', nonce, neighbor: true })
  }

  private onPing(now: Millis, from: NodeId, nonce: number, holdsUs: boolean): void {
    // a peer that counts us as its neighbour while we do not (and no request between us is in flight)
    // missed a DISCONNECT or an answer: say so, rather than let it heartbeat into the void
    if (holdsUs && !this.active.has(from) && !this.isNeighborOrAsked(from)) {
      this.counters.asymmetriesRepaired++
      this.send(from, DISCONNECT)
      return
    }
    // and a neighbour that probes us as a passive peer no longer holds us: its probes would otherwise
    // count as hearing from it, and the one-sided link would never fail
    if (!holdsUs && this.active.has(from) && this.handshakes.find(from) === undefined) {
      this.counters.asymmetriesRepaired++
      this.dropNeighbor(now, from, 'disconnected', true)
    }
    this.send(from, { type: 'pong', nonce })
  }

  /** A pong from the neighbour at `neighbor` (−1: not a neighbour: a passive peer probed, or X-BOT's o). */
  private onPong(now: Millis, from: NodeId, nonce: number, neighbor: number): void {
    if (neighbor >= 0) {
      this.active.ponged(neighbor, nonce, now)
      // a passive peer probed just before it became a neighbour: its probe is answered too
      const index = this.probeOf(from)
      if (index >= 0) this.dropProbe(index)
      return
    }
    const takeover = this.takeover
    if (takeover?.stage === 'probing' && takeover.old === from && takeover.nonce === nonce) {
      const rtt = now - takeover.sentAt
      this.passive.setRtt(from, rtt)
      this.measuredOld(now, takeover, rtt)
      return
    }
    const revived = this.dormant.answered(from, nonce, now)
    if (revived !== undefined) {
      this.revived(now, from, revived.failures, revived.rttMs)
      return
    }
    const index = this.probeOf(from)
    if (index < 0 || (this.probes[index] as Probe).nonce !== nonce) return
    this.passive.setRtt(from, now - (this.probes[index] as Probe).sentAt)
    this.dropProbe(index)
    // a nearer peer found: no need to wait for the next round to use it
    this.trySwap(now)
  }

  // ── shuffle (§4.4) ──────────────────────────────────────────────────────────────────────────────────

  private startShuffle(now: Millis): void {
    const target = this.active.pick(this.random)
    if (target === undefined) return
    const fromActive = this.active.sample(this.random, this.config.shuffleActive, target)
    const fromPassive = this.passive.sample(this.config.shufflePassive)
    this.shuffleSent = fromPassive
    this.shuffleReplyUntil = now + this.config.shuffleIntervalMs
    const ttl = this.config.activeRandomWalkLength
    this.send(target, { type: 'shuffle', origin: this.id, ttl, sample: [...fromActive, ...fromPassive] })
  }

  private onShuffle(from: NodeId, origin: NodeId, wireTtl: number, sample: readonly NodeId[]): void {
    if (!this.isNeighborOrAsked(from)) {
      this.counters.rejectedNotNeighbor++
      return
    }
    const ttl = Math.min(wireTtl, this.config.activeRandomWalkLength) - 1
    const next = ttl > 0 ? this.active.pick(this.random, from, origin) : undefined
    if (next !== undefined) {
      this.send(next, { type: 'shuffle', origin, ttl, sample })
      return
    }
    if (origin === this.id) return
    const size = shuffleSampleSize(this.config)
    const reply = this.passive.sample(size)
    this.send(origin, { type: 'shuffle-reply', sample: reply })
    this.counters.shufflesAnswered++
    this.addPassive(origin, reply)
    const count = Math.min(sample.length, size - 1)
    for (let i = 0; i < count; i++) this.addPassive(sample[i] as NodeId, reply)
  }

  private onShuffleReply(now: Millis, sample: readonly NodeId[]): void {
    if (now > this.shuffleReplyUntil) {
      this.counters.rejectedUnexpectedReply++
      return
    }
    this.shuffleReplyUntil = -NEVER
    const count = Math.min(sample.length, shuffleSampleSize(this.config))
    for (let i = 0; i < count; i++) this.addPassive(sample[i] as NodeId, this.shuffleSent)
    this.shuffleSent = []
  }

  // ── views ───────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Makes `peer` a neighbour (it accepted, or we accept it), dropping one to make room when full. Its RTT
   * is `rttMs` when measured just now, else what the passive view knew; unknown, it is pinged at once,
   * as the optimisation ranks neighbours by RTT.
   */
  private addNeighbor(
    now: Millis,
    peer: NodeId,
    long: boolean,
    replaces: NodeId | undefined,
    rttMs = Number.NaN,
  ): void {
    if (this.active.has(peer)) return
    this.dormant.remove(peer)
    const known = this.passive.remove(peer) ?? Number.NaN
    const rtt = Number.isNaN(rttMs) ? known : rttMs
    if (this.active.isFull) {
      const victim =
        replaces !== undefined && this.active.has(replaces)
          ? replaces
          : this.active.pickEviction(this.random, this.config.longLinks)
      if (victim !== undefined) {
        this.send(victim, DISCONNECT)
        this.dropNeighbor(now, victim, 'replaced', true)
      }
    }
    this.active.add(peer, long, now, rtt)
    this.counters.neighborsUp++
    this.emit({ type: 'NeighborUp', at: now, peer, long })
    if (Number.isNaN(rtt)) this.ping(now, this.active.size - 1)
  }

  /**
   * Active slots taken or promised: the neighbours, plus this node's own requests in flight that will
   * each fill one when answered (a swap whose neighbour to drop is already gone among them).
   */
  private bookedSlots(): number {
    return (
      this.active.size +
      this.handshakes.countKind('repair', 'walk', 'join', 'merge') +
      this.handshakes.countOrphanedSwaps((id) => this.active.has(id))
    )
  }

  /** Removes a neighbour; to the passive view when it is alive (`toPassive`), forgotten otherwise. */
  private dropNeighbor(now: Millis, peer: NodeId, reason: NeighborDownReason, toPassive: boolean): void {
    const removed = this.active.remove(peer)
    if (removed === undefined) return
    if (toPassive) this.passive.add(peer, removed)
    // membership's verdict is not second-guessed: its failures are confirmed by several observers, and a
    // member back after a heal is introduced again by it
    else if (reason === 'failed' || reason === 'connection-lost') this.lost(now, peer, true)
    this.counters.neighborsDown++
    this.emit({ type: 'NeighborDown', at: now, peer, reason })
    if (reason !== 'replaced') this.promoteSoon(now)
  }

  /**
   * A neighbour, or a peer this node asked to be one (X-BOT's o, asked to SWITCH, among them): its
   * acceptance may be overtaken on the way by the first walk or heartbeat it sends here (links reorder),
   * and that is not a stranger's.
   */
  private isNeighborOrAsked(id: NodeId): boolean {
    return (
      this.active.has(id) ||
      this.handshakes.find(id) !== undefined ||
      (this.takeover?.stage === 'switching' && this.takeover.old === id)
    )
  }

  private addPassive(id: NodeId, evictFirst?: readonly NodeId[]): void {
    // a lost peer someone names is already remembered, and asked again on this node's own schedule
    if (id === this.id || this.active.has(id) || this.dormant.has(id)) return
    this.passive.add(id, Number.NaN, evictFirst)
  }

  // ── output ──────────────────────────────────────────────────────────────────────────────────────────

  /** Sends a request and records it; false (counted) when the handshake table is full. */
  private request(
    now: Millis,
    peer: NodeId,
    kind: HandshakeKind,
    long: boolean,
    replaces: NodeId | undefined,
    message: OverlayMessage,
    timeoutMs = this.config.neighborTimeoutMs,
  ): boolean {
    const deadline = now + timeoutMs
    if (!this.handshakes.add({ peer, kind, long, deadline, replaces, sentAt: now })) {
      this.counters.droppedHandshakes++
      return false
    }
    this.send(peer, message)
    return true
  }

  /** While leaving, a node that wants this one as its neighbour is told it is gone. */
  private answerWhileLeaving(from: NodeId, message: OverlayMessage): void {
    const wantsUs =
      message.type === 'join' ||
      message.type === 'neighbor' ||
      message.type === 'optimize' ||
      message.type === 'replace' ||
      message.type === 'switch' ||
      (message.type === 'ping' && message.neighbor)
    if (wantsUs) this.send(from, GOODBYE)
  }

  private send(to: NodeId, message: OverlayMessage): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      this.counters.droppedOutbox++
      return
    }
    this.counters.sent[message.type as OverlayMessageType]++
    if (this.outbox === NOTHING_SENT) this.outbox = []
    this.outbox.push({ to, message })
  }

  private emit(event: OverlayEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.counters.droppedEvents++
      return
    }
    if (this.events === NO_EVENTS) this.events = []
    this.events.push(event)
  }
}
