/**
 * Failure detection by probing: SWIM's direct and indirect probes with Lifeguard's nacks, plus the two
 * kinds of extra ping Meshwork adds — suspicion verification and reconnect knocks on failed members.
 *
 * One round (SWIM §3.1, Lifeguard §IV): ping the next member in round-robin order — every other round,
 * this node's successor on the monitoring ring instead (`ring-successor.ts`); if no ack within the
 * adaptive timeout, ask `indirectChecks` members to ping it for us (`ping-req`); a helper that cannot
 * reach it says so with a nack. If the round ends with no ack, the member is suspected. A round that got
 * no nack either counts against our own health (the trouble is probably ours).
 *
 * While the view is quiet (`membership.ts`), rounds come every `quietProbeIntervalMs` instead and go to
 * the ring successor alone (ADR 0013).
 *
 * Timeouts adapt to each link (`round-trip.ts`); members never measured use the node-wide estimate. A
 * ping that the engine has to open a link for (the `opening` hint) waits the ceiling instead.
 * Every ping this node sends for another purpose (a relay for someone's indirect probe, a verification,
 * a knock) is a tracked request with its own deadline, bounded in number.
 */
import { earliest, type Millis, type NodeId, type Random } from '../../kernel/index.ts'
import type { Awareness } from './awareness.ts'
import type { MembershipConfig } from './config.ts'
import type { Member, MemberTable } from './member-table.ts'
import { newRoundTrip, probeTimeoutMs, recordRoundTrip } from './round-trip.ts'
import type { MembershipMessage, MemberUpdate } from './types.ts'

/** What the prober needs from the membership core that owns it. */
export interface ProberHost {
  send(to: NodeId, message: MembershipMessage): void
  piggyback(): MemberUpdate[]
  /** A probe round or a verification failed: accuse `id` at `incarnation`. */
  suspect(id: NodeId, incarnation: number, from: NodeId, now: Millis): void
  /** A member held failed answered a knock: exchange full state with it. */
  reconnected(id: NodeId, now: Millis): void
}

export interface ProberStats {
  probesSent: number
  probesFailed: number
  indirectProbesSent: number
  verificationsSent: number
  reconnectsSent: number
  /** Acks and nacks whose sequence number matched nothing (late or forged). */
  unmatchedReplies: number
  requestsDropped: number
  /** Indirect probe requests for members this node does not know, answered with a nack at once. */
  unknownTargets: number
}

interface Probe {
  readonly target: Member
  readonly sentAt: Millis
  readonly timeoutAt: Millis
  readonly roundEndsAt: Millis
  indirectSent: boolean
  expectedNacks: number
  nacks: number
}

/** A ping sent for someone else (indirect probe), to verify a suspicion, or to knock on a failed member. */
type Request =
  | { readonly kind: 'relay'; readonly deadline: Millis; readonly origin: NodeId; readonly originSeq: number }
  | {
      readonly kind: 'verify'
      readonly deadline: Millis
      readonly target: NodeId
      readonly incarnation: number
    }
  | { readonly kind: 'reconnect'; readonly deadline: Millis; readonly target: NodeId }

const MAX_ACTIVE_PROBES = 16
const MAX_PENDING_REQUESTS = 4_096

/** Probe rounds whose outcomes estimate how much of the cluster hears us (one second at LAN's interval). */
const ROUND_WINDOW = 10
/** Rounds needed before the share means anything (a new node has probed nobody). */
const MIN_ROUNDS_FOR_SHARE = 5

export class Prober {
  private readonly self: NodeId
  private readonly config: MembershipConfig
  private readonly table: MemberTable
  private readonly random: Random
  private readonly awareness: Awareness
  private readonly host: ProberHost
  /** Round trips over all links: the timeout for members not measured yet. */
  private readonly nodeRoundTrip = newRoundTrip()
  private readonly probes = new Map<number, Probe>()
  private readonly requests = new Map<number, Request>()
  private seq = 0
  /** Whether the round just started probed the ring successor (they alternate with round-robin). */
  private monitorTurn = false
  nextProbeAt: Millis
  nextReconnectAt: Millis
  /** The interval the last round was started at: the quiet one or the usual one. */
  intervalMs: number
  /**
   * The outcome of the last `ROUND_WINDOW` probe rounds (1: an ack or a nack came back), as a ring. The
   * share answered estimates the share of the cluster that hears us: behind a one-way cut nobody does,
   * and the few members on our side of a small cut answer only the rounds that happen to reach them.
   */
  private readonly rounds = new Uint8Array(ROUND_WINDOW)
  private roundsSeen = 0
  readonly stats: ProberStats = {
    probesSent: 0,
    probesFailed: 0,
    indirectProbesSent: 0,
    verificationsSent: 0,
    reconnectsSent: 0,
    unmatchedReplies: 0,
    requestsDropped: 0,
    unknownTargets: 0,
  }

  constructor(
    self: NodeId,
    parts: {
      config: MembershipConfig
      table: MemberTable
      random: Random
      awareness: Awareness
      host: ProberHost
    },
    firstProbeAt: Millis,
    firstReconnectAt: Millis,
  ) {
    this.self = self
    this.config = parts.config
    this.table = parts.table
    this.random = parts.random
    this.awareness = parts.awareness
    this.host = parts.host
    this.nextProbeAt = firstProbeAt
    this.nextReconnectAt = firstReconnectAt
    this.intervalMs = parts.config.probeIntervalMs
  }

  // ── the probe round ───────────────────────────────────────────────────────────────────────────────

  /**
   * Starts a probe round. `quiet` (the view has not changed for `quietAfterMs`, nobody is suspected)
   * slows the rounds to `quietProbeIntervalMs`, each to the ring successor.
   */
  startProbe(now: Millis, quiet: boolean): void {
    this.intervalMs = quiet ? this.config.quietProbeIntervalMs : this.config.probeIntervalMs
    this.nextProbeAt = now + this.awareness.scale(this.intervalMs)
    if (this.probes.size >= MAX_ACTIVE_PROBES) return
    const target = quiet ? this.quietTarget() : this.nextTarget()
    if (target === undefined) return
    const timeout = this.awareness.scale(this.timeoutFor(target))
    const seq = this.nextSeq()
    this.probes.set(seq, {
      target,
      sentAt: now,
      timeoutAt: now + timeout,
      // helpers use their own timeout towards the target, then the answer needs a hop back
      roundEndsAt: now + 3 * timeout,
      indirectSent: false,
      expectedNacks: 0,
      nacks: 0,
    })
    this.stats.probesSent++
    this.host.send(target.record.id, { type: 'ping', seq, updates: this.host.piggyback() })
  }

  /**
   * The engine is opening a link to `peer` for what we sent it: a stream negotiation and realm admission,
   * and a dial with its handshakes if no connection was open, which the round trips of open links do not
   * predict. The probe and the verification waiting on it get the ceiling, `probeTimeoutMaxMs`.
   */
  opening(now: Millis, peer: NodeId): void {
    const ceiling = this.awareness.scale(this.config.probeTimeoutMaxMs)
    for (const [seq, probe] of this.probes) {
      if (probe.target.record.id !== peer || probe.indirectSent) continue
      const timeoutAt = Math.max(probe.timeoutAt, probe.sentAt + ceiling)
      const roundEndsAt = Math.max(probe.roundEndsAt, probe.sentAt + 3 * ceiling)
      this.probes.set(seq, { ...probe, timeoutAt, roundEndsAt })
    }
    for (const [seq, request] of this.requests) {
      if (request.kind !== 'verify' || request.target !== peer) continue
      this.requests.set(seq, { ...request, deadline: Math.max(request.deadline, now + ceiling) })
    }
  }

  /** The view changed: a round already scheduled at the quiet pace comes at the usual pace instead. */
  hurry(now: Millis): void {
    if (this.intervalMs === this.config.probeIntervalMs) return
    this.intervalMs = this.config.probeIntervalMs
    this.nextProbeAt = Math.min(this.nextProbeAt, now + this.awareness.scale(this.intervalMs))
  }

  /**
   * Every other round, this node's successor on the monitoring ring (`ring-successor.ts`), so that each
   * member has one prober at a steady pace; the other rounds, and a monitor round whose successor is
   * still being probed, go round-robin.
   */
  private nextTarget(): Member | undefined {
    this.monitorTurn = !this.monitorTurn
    if (this.monitorTurn) {
      const successor = this.table.ringSuccessor()
      if (successor !== undefined && !this.probing(successor)) return successor
    }
    return this.table.nextProbeTarget(this.random)
  }

  /**
   * A quiet round: the ring successor alone. While views agree every member is some node's successor,
   * so each is still probed once a quiet interval; a view that lacks a member is found by the quiet
   * view's digest exchange (`state-exchange.ts`), and its repair, a change, brings the round robin back.
   */
  private quietTarget(): Member | undefined {
    // the first round at the usual pace then goes to the successor too, so the switch leaves no gap
    this.monitorTurn = false
    const successor = this.table.ringSuccessor()
    if (successor !== undefined && !this.probing(successor)) return successor
    return successor === undefined ? this.table.nextProbeTarget(this.random) : undefined
  }

  private probing(member: Member): boolean {
    for (const probe of this.probes.values()) if (probe.target === member) return true
    return false
  }

  /** Moves every probe round on: indirect probes after the timeout, a suspicion when the round ends. */
  advanceProbes(now: Millis): void {
    for (const [seq, probe] of this.probes) {
      if (!probe.indirectSent && now >= probe.timeoutAt) {
        probe.indirectSent = true
        const targetId = probe.target.record.id
        const helpers = this.table.sample(
          this.random,
          this.config.indirectChecks,
          (member) => member.record.state === 'alive' && member !== probe.target,
        )
        probe.expectedNacks = helpers.length
        for (const helper of helpers) {
          this.stats.indirectProbesSent++
          this.host.send(helper.record.id, {
            type: 'ping-req',
            seq,
            target: targetId,
            updates: this.host.piggyback(),
          })
        }
      }
      if (probe.indirectSent && now >= probe.roundEndsAt) {
        this.probes.delete(seq)
        this.stats.probesFailed++
        if (probe.nacks === 0) this.recordRound(0)
        // Lifeguard: helpers that did not even nack suggest that the trouble is ours
        this.awareness.apply(probe.expectedNacks - probe.nacks > 0 ? 1 : 0)
        // Accuse whatever the member's state: the core decides what an accusation does. About a member
        // already suspected it is an independent confirmation (memberlist's `suspectNode` confirms the
        // timer) — without it, once gossip had told everyone of a suspicion, no later probe counted, and
        // a suspicion that drew no verifier (e^−6 of them) ran its longest; about one already gone, the
        // core drops an accusation of its own making.
        const record = probe.target.record
        if (this.table.get(record.id) === probe.target) {
          this.host.suspect(record.id, record.incarnation, this.self, now)
        }
      }
    }
  }

  onAck(now: Millis, from: NodeId, seq: number): void {
    const probe = this.probes.get(seq)
    if (probe !== undefined) {
      this.probes.delete(seq)
      const rtt = now - probe.sentAt
      // an ack relayed by a helper measures two hops, so only direct acks train the estimate
      if (from === probe.target.record.id && rtt >= 0) {
        recordRoundTrip(probe.target.roundTrip, rtt)
        recordRoundTrip(this.nodeRoundTrip, rtt)
      }
      this.awareness.apply(-1)
      if (probe.nacks === 0) this.recordRound(1)
      return
    }
    const request = this.requests.get(seq)
    if (request === undefined) {
      this.stats.unmatchedReplies++
      return
    }
    this.requests.delete(seq)
    if (request.kind === 'relay') {
      this.host.send(request.origin, { type: 'ack', seq: request.originSeq, updates: this.host.piggyback() })
    } else if (request.kind === 'reconnect') {
      this.host.reconnected(request.target, now)
    }
  }

  onNack(seq: number): void {
    const probe = this.probes.get(seq)
    if (probe === undefined) {
      this.stats.unmatchedReplies++
      return
    }
    // the round was answered (a helper heard us) the first time a nack comes back
    if (probe.nacks++ === 0) this.recordRound(1)
  }

  /** Share of the recent probe rounds that got an ack or a nack; 1 until a few rounds are in. */
  get answeredShare(): number {
    const seen = Math.min(this.roundsSeen, ROUND_WINDOW)
    if (seen < MIN_ROUNDS_FOR_SHARE) return 1
    let answered = 0
    for (let i = 0; i < seen; i++) answered += this.rounds[i] as number
    return answered / seen
  }

  private recordRound(answered: 0 | 1): void {
    this.rounds[this.roundsSeen % ROUND_WINDOW] = answered
    this.roundsSeen++
  }

  /** Someone asks us to probe `target` for them (SWIM indirect probe). */
  onPingRequest(now: Millis, origin: NodeId, originSeq: number, target: NodeId): void {
    if (target === this.self) {
      this.host.send(origin, { type: 'ack', seq: originSeq, updates: this.host.piggyback() })
      return
    }
    const member = this.table.get(target)
    if (member === undefined) {
      // We do not know the target, so we cannot vouch for it either way: say so at once. Probing an id we
      // never heard of would let any peer make us track (and the engine dial) ids it invents.
      this.stats.unknownTargets++
      this.host.send(origin, { type: 'nack', seq: originSeq })
      return
    }
    const timeout = this.timeoutFor(member)
    if (this.addRequest({ kind: 'relay', deadline: now + timeout, origin, originSeq }, target)) return
    // could not track the relay: tell the origin at once that we will not answer for the target
    this.host.send(origin, { type: 'nack', seq: originSeq })
  }

  // ── extra pings ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Suspicion verification: on hearing a new suspicion, become a verifier with probability
   * `verifyProbes / alive` (so about `verifyProbes` members do) and probe the suspect ourselves.
   */
  maybeVerify(member: Member, incarnation: number, now: Millis): void {
    const alive = this.table.counts.alive
    if (alive === 0 || !this.random.chance(this.config.verifyProbes / alive)) return
    const target = member.record.id
    const deadline = now + this.timeoutFor(member)
    if (this.addRequest({ kind: 'verify', deadline, target, incarnation }, target)) {
      this.stats.verificationsSent++
    }
  }

  /** Every `reconnectIntervalMs`, ping one failed member: an answer means a partition healed. */
  knockOnFailed(now: Millis): void {
    this.nextReconnectAt = now + this.config.reconnectIntervalMs * (0.5 + this.random.float())
    if (this.table.counts.failed === 0) return
    const [target] = this.table.sample(this.random, 1, (member) => member.record.state === 'failed')
    if (target === undefined) return
    const deadline = now + this.config.probeTimeoutMaxMs
    if (this.addRequest({ kind: 'reconnect', deadline, target: target.record.id }, target.record.id)) {
      this.stats.reconnectsSent++
    }
  }

  expireRequests(now: Millis): void {
    for (const [seq, request] of this.requests) {
      if (now < request.deadline) continue
      this.requests.delete(seq)
      if (request.kind === 'relay') {
        this.host.send(request.origin, { type: 'nack', seq: request.originSeq })
      } else if (request.kind === 'verify') {
        const member = this.table.get(request.target)
        if (member?.record.state === 'suspect' && member.record.incarnation === request.incarnation) {
          this.host.suspect(request.target, request.incarnation, this.self, now)
        }
      }
    }
  }

  /** The earliest of `deadline` and this prober's own deadlines. */
  nextDeadline(deadline: Millis | undefined): Millis | undefined {
    let next = earliest(deadline, this.nextProbeAt)
    if (this.table.counts.failed > 0) next = earliest(next, this.nextReconnectAt)
    for (const probe of this.probes.values()) {
      next = earliest(next, probe.indirectSent ? probe.roundEndsAt : probe.timeoutAt)
    }
    for (const request of this.requests.values()) next = earliest(next, request.deadline)
    return next
  }

  /** The adaptive probe timeout towards `member` (or the node-wide one when it was never measured). */
  timeoutFor(member: Member | undefined): number {
    const { probeTimeoutMinMs: min, probeTimeoutMaxMs: max } = this.config
    const own = member?.roundTrip
    return probeTimeoutMs(own !== undefined && own.srttMs >= 0 ? own : this.nodeRoundTrip, min, max)
  }

  /** Sends a ping tracked as `request`; false when the request table is full (counted). */
  private addRequest(request: Request, target: NodeId): boolean {
    if (this.requests.size >= MAX_PENDING_REQUESTS) {
      this.stats.requestsDropped++
      return false
    }
    const seq = this.nextSeq()
    this.requests.set(seq, request)
    this.host.send(target, { type: 'ping', seq, updates: this.host.piggyback() })
    return true
  }

  private nextSeq(): number {
    this.seq = this.seq >= Number.MAX_SAFE_INTEGER ? 1 : this.seq + 1
    return this.seq
  }
}
