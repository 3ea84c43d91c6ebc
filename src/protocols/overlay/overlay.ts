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
 *   left by a lost message is repaired within one heartbeat.
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
 *   node with fewer than `activeViewMin` neighbours does too once a whole promotion round was refused,
 *   or a small component of nodes holding only each other could never rejoin the rest.
 * - **Long links and near links** (`link-policy.ts`): `longLinks` slots stay with peers met at random;
 *   the others prefer the lowest RTT measured, and every `optimizeIntervalMs` one passive peer's RTT is
 *   probed and a clearly farther neighbour may be swapped for a nearer passive peer (bounded X-BOT). An
 *   eviction to make room never takes a long link while a near one could go.
 * - **Shuffle replies** are accepted once per shuffle this node started (until the next), from whoever
 *   ends the walk; a reply that nobody asked for is refused, so no peer can flood the passive view.
 * - **Failed neighbours are forgotten, refused ones kept:** a neighbour that failed or a passive peer
 *   that did not answer leaves every view (as in the paper); one that refused a low-priority request is
 *   alive and stays passive; a disconnected one moves to the passive view (the paper's rule).
 *
 * Remote input never throws; TTLs are clamped to this node's walk lengths; samples are cut to its
 * sample size; ids a peer names only ever enter the passive view.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'
import type { Core } from '../index.ts'
import { ActiveView } from './active-view.ts'
import { type OverlayConfig, shuffleSampleSize } from './config.ts'
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
// Shared empty lists, never written to: an idle node holds no arrays of its own for what it has not sent.
const NOTHING_SENT: Outgoing[] = []
const NO_EVENTS: OverlayEvent[] = []
const NOBODY: NodeId[] = []

// Messages without per-send fields are shared, so the simulator passes one object by reference.
const JOIN: OverlayMessage = Object.freeze({ type: 'join' })
const ACCEPTED: OverlayMessage = Object.freeze({ type: 'neighbor-reply', accepted: true })
const REFUSED: OverlayMessage = Object.freeze({ type: 'neighbor-reply', accepted: false })
const DISCONNECT: OverlayMessage = Object.freeze({ type: 'disconnect', leaving: false })
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

export class Overlay implements Core<OverlayMessage, OverlayMessage, OverlayEvent> {
  readonly id: NodeId
  readonly config: OverlayConfig
  private readonly random: Random
  private readonly active: ActiveView
  private readonly passive: PassiveView
  private readonly handshakes: Handshakes
  private readonly counters = new OverlayCounters()
  private readonly contacts: NodeId[] = []
  private nextContact = 0
  private leaving = false

  // timers, as local times (NEVER when not armed)
  private roundAt: Millis
  private shuffleAt: Millis
  private optimizeAt: Millis
  private promoteAt: Millis = NEVER
  private joinAt: Millis = NEVER

  /** The peers that refused in the current promotion round (not asked again in it). */
  private refusedThisRound: NodeId[] = NOBODY
  /** Whether the last promotion round ended refused throughout (a low-degree node then insists). */
  private lastRoundRefused = false
  /** The passive ids sent in the last shuffle: evicted first when its reply arrives. */
  private shuffleSent: readonly NodeId[] = []
  /** A shuffle reply is accepted until then (once). */
  private shuffleReplyUntil: Millis = -NEVER
  /** The passive peer whose RTT is being probed, the probe's nonce and when it left. */
  private probePeer: NodeId | undefined
  private probeNonce = 0
  private probeSentAt: Millis = 0

  private outbox: Outgoing[] = NOTHING_SENT
  private events: OverlayEvent[] = NO_EVENTS

  constructor(init: OverlayInit) {
    this.id = init.self
    this.config = init.config
    this.random = init.random
    this.active = new ActiveView(init.config.activeViewSize)
    this.passive = new PassiveView(init.config.passiveViewSize, init.random)
    // a walk may end here while this node repairs and swaps: room for a few of each
    this.handshakes = new Handshakes(init.config.activeViewSize + 3)
    // random phases, so nodes started together do not ping and shuffle in lockstep
    const { heartbeatIntervalMs, shuffleIntervalMs, optimizeIntervalMs } = init.config
    this.roundAt = init.now + this.random.float() * heartbeatIntervalMs
    this.shuffleAt = init.now + (0.5 + this.random.float()) * shuffleIntervalMs
    this.optimizeAt = init.now + (0.5 + this.random.float()) * optimizeIntervalMs
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

  /** Whether `id` is a neighbour, a passive peer, or has a request or probe of this node in flight. */
  knows(id: NodeId): boolean {
    return (
      this.active.has(id) ||
      this.passive.has(id) ||
      this.handshakes.find(id) !== undefined ||
      this.probePeer === id
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
    if (this.probePeer !== undefined) at = Math.min(at, this.probeSentAt + this.config.neighborTimeoutMs)
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
    if (this.probePeer !== undefined && now >= this.probeSentAt + this.config.neighborTimeoutMs) {
      // silent on a probe: as dead as a repair that timed out
      this.passive.remove(this.probePeer)
      this.probePeer = undefined
      this.counters.passiveProbesFailed++
    }
    if (now >= this.roundAt) {
      this.roundAt = now + this.config.heartbeatIntervalMs
      this.heartbeat(now)
    }
    if (now >= this.shuffleAt) {
      this.shuffleAt = now + this.config.shuffleIntervalMs
      this.startShuffle(now)
    }
    if (now >= this.optimizeAt) {
      this.optimizeAt = now + this.config.optimizeIntervalMs
      this.optimize(now)
    }
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
        this.onPing(from, message.nonce, message.neighbor)
        return
      case 'pong':
        this.onPong(now, from, message.nonce, neighbor)
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
    this.probePeer = undefined
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
    this.addNeighbor(now, from, true, undefined)
    this.send(from, ACCEPTED)
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
    // this node's own requests in flight may each fill a slot when answered
    const booked = this.active.size + this.handshakes.countKind('repair', 'walk', 'join')
    if (priority === 'low' && booked >= this.config.activeViewSize) {
      this.counters.requestsRefused++
      this.send(from, REFUSED)
      return
    }
    this.addNeighbor(now, from, long, undefined)
    this.send(from, ACCEPTED)
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
    if (accepted) {
      this.addNeighbor(now, from, handshake.long, handshake.replaces)
      if (handshake.kind === 'repair') {
        this.refusedThisRound = NOBODY
        this.lastRoundRefused = false
        this.counters.repairs++
        if (!this.active.isFull) this.promoteSoon(now)
      }
      if (handshake.kind === 'swap') this.counters.swaps++
      return
    }
    this.handshakeFailed(now, handshake, false)
  }

  /** A request that was refused (`dead` false) or went unanswered (`dead` true). */
  private handshakeFailed(now: Millis, handshake: Handshake, dead: boolean): void {
    if (dead) this.passive.remove(handshake.peer)
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
          this.promoteAt = now + this.config.promoteIntervalMs
        } else this.promoteSoon(now)
        return
      case 'walk':
      case 'swap':
        return
    }
  }

  private onDisconnect(now: Millis, from: NodeId, leaving: boolean): void {
    const handshake = this.handshakes.take(from)
    if (handshake !== undefined) this.handshakeFailed(now, handshake, leaving)
    if (this.active.has(from)) this.dropNeighbor(now, from, leaving ? 'left' : 'disconnected', !leaving)
    else if (leaving) this.passive.remove(from)
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

  /** Probes one passive peer's RTT, and swaps a far neighbour for a clearly nearer passive peer. */
  private optimize(now: Millis): void {
    if (this.probePeer === undefined) {
      const peer = this.passive.pickToProbe(this.excluded)
      if (peer !== undefined) {
        this.probePeer = peer
        this.probeNonce = this.random.nextU32()
        this.probeSentAt = now
        this.send(peer, { type: 'ping', nonce: this.probeNonce, neighbor: false })
      }
    }
    if (this.handshakes.hasKind('repair', 'swap')) return
    const swap = swapCandidate(this.active, this.passive, this.config, this.random, this.excluded)
    if (swap === undefined) return
    this.request(now, swap.peer, 'swap', swap.long, swap.replaces, NEIGHBOR_REQUESTS.low[swap.long ? 1 : 0])
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
      } else if (silentMs >= heartbeatIntervalMs / 2 || Number.isNaN(this.active.rttAt(i))) {
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

  private onPing(from: NodeId, nonce: number, holdsUs: boolean): void {
    // a peer that counts us as its neighbour while we do not (and no request between us is in flight)
    // missed a DISCONNECT or an answer: say so, rather than let it heartbeat into the void
    if (holdsUs && !this.active.has(from) && this.handshakes.find(from) === undefined) {
      this.counters.asymmetriesRepaired++
      this.send(from, DISCONNECT)
      return
    }
    this.send(from, { type: 'pong', nonce })
  }

  /** A pong from the neighbour at `neighbor` (−1: not a neighbour, maybe the passive peer probed). */
  private onPong(now: Millis, from: NodeId, nonce: number, neighbor: number): void {
    if (neighbor >= 0) {
      this.active.ponged(neighbor, nonce, now)
      return
    }
    if (from === this.probePeer && nonce === this.probeNonce) {
      this.passive.setRtt(from, now - this.probeSentAt)
      this.probePeer = undefined
    }
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

  /** Makes `peer` a neighbour (it accepted, or we accept it), dropping one to make room when full. */
  private addNeighbor(now: Millis, peer: NodeId, long: boolean, replaces: NodeId | undefined): void {
    if (this.active.has(peer)) return
    const rtt = this.passive.remove(peer) ?? Number.NaN
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
  }

  /** Removes a neighbour; to the passive view when it is alive (`toPassive`), forgotten otherwise. */
  private dropNeighbor(now: Millis, peer: NodeId, reason: NeighborDownReason, toPassive: boolean): void {
    const removed = this.active.remove(peer)
    if (removed === undefined) return
    if (toPassive) this.passive.add(peer, removed)
    this.counters.neighborsDown++
    this.emit({ type: 'NeighborDown', at: now, peer, reason })
    if (reason !== 'replaced') this.promoteSoon(now)
  }

  /**
   * A neighbour, or a peer this node asked to be one: its acceptance may be overtaken on the way by the
   * first walk it forwards here (links reorder), and that walk is not a stranger's.
   */
  private isNeighborOrAsked(id: NodeId): boolean {
    return this.active.has(id) || this.handshakes.find(id) !== undefined
  }

  private addPassive(id: NodeId, evictFirst?: readonly NodeId[]): void {
    if (id === this.id || this.active.has(id)) return
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
  ): boolean {
    const deadline = now + this.config.neighborTimeoutMs
    if (!this.handshakes.add({ peer, kind, long, deadline, replaces })) {
      this.counters.droppedHandshakes++
      return false
    }
    this.send(peer, message)
    return true
  }

  /** While leaving, a node that wants this one as its neighbour is told it is gone. */
  private answerWhileLeaving(from: NodeId, message: OverlayMessage): void {
    const wantsUs =
      message.type === 'join' || message.type === 'neighbor' || (message.type === 'ping' && message.neighbor)
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
