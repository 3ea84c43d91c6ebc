/**
 * Anti-entropy: every `intervalMs`, jittered, a node opens a session with a random overlay neighbour and
 * sends a digest — a 16-byte fingerprint per object it replicates. The neighbour answers only for the
 * objects whose fingerprints differ, and for each it starts a range-based set reconciliation over the
 * object's item ids (`rbsr.ts`) in the same answer; the two then exchange one message per round for all
 * objects of the session until each is reconciled. Both ends emit `ReconcileNeeded` per object with the
 * ids only they hold (`have`) and only the peer holds (`need`); the layer above ships the items.
 *
 * This is the push-pull anti-entropy of Demers et al. ("Epidemic Algorithms for Replicated Database
 * Maintenance", PODC 1987) with a digest first (Van Renesse et al., "Efficient Reconciliation and Flow
 * Control for Anti-Entropy Protocols", 2008, Scuttlebutt): replicas that agree cost one digest. Where it
 * departs: the partner is an overlay neighbour (the overlay's active view, from its NeighborUp/Down
 * events, as broadcast does), not any member, so sessions follow links that are already open.
 *
 * Bounded: sessions in all (`maxSessions`), started here (`maxInitiatedSessions`), one answered per peer
 * (a new digest replaces the old session), messages per session, objects per digest and per session (so
 * a frame holds one full reconciliation message per object), item indexes cached. Sessions idle for
 * `sessionTimeoutMs` are dropped. Messages from peers that are not neighbours are refused and counted.
 */
import { BoundedMap, type Millis, type NodeId, type Random, RejectionCounter } from '../../kernel/index.ts'
import type { Core } from '../index.ts'
import { type AntiEntropyLimits, encodedAntiEntropyBytes } from './codec.ts'
import type { AntiEntropyConfig, RbsrConfig } from './config.ts'
import { ItemIndex, idKey } from './item-index.ts'
import { equalBytes } from './range-fingerprint.ts'
import { type RbsrRejection, Reconciler } from './rbsr.ts'
import {
  type AntiEntropyEvent,
  type AntiEntropyMessage,
  type AntiEntropyRejection,
  type ItemSource,
  OBJECT_FINGERPRINT_BYTES,
  type ReconcilePart,
} from './types.ts'

interface Session {
  readonly peer: NodeId
  readonly id: number
  /** Opened here (this node sent the digest). */
  readonly initiated: boolean
  /** Objects being reconciled. */
  readonly objects: Map<string, Reconciler>
  /** Opened here and not answered yet: the names the digest offered, which the answer may start. */
  readonly offered: Set<string>
  messages: number
  expiresAt: Millis
}

export interface AntiEntropyInit {
  readonly self: NodeId
  /** Local time at construction; the first session starts one jittered interval later. */
  readonly now: Millis
  readonly random: Random
  readonly source: ItemSource
  readonly config: AntiEntropyConfig
  readonly rbsr: RbsrConfig
}

type Outgoing = { readonly to: NodeId; readonly message: AntiEntropyMessage }

const NO_OUTBOX: readonly Outgoing[] = []
const NO_EVENTS: readonly AntiEntropyEvent[] = []
const EMPTY = new Uint8Array(0)
const UTF8 = new TextEncoder()
const MAX_OUTBOX = 1_024
const MAX_PENDING_EVENTS = 4_096
/** Session round trips kept for the metrics histogram between two readings. */
const MAX_PENDING_OBSERVATIONS = 1_024
/** Frame bytes besides the parts' payloads: header, session, a name and length per part. */
const FRAME_OVERHEAD_BYTES = 16

/** Objects one session reconciles at once: each part may be a full message, and they share one frame. */
export function maxObjectsPerSession(config: AntiEntropyConfig, rbsr: RbsrConfig): number {
  const perPart = rbsr.maxMessageBytes + config.maxNameBytes + 8
  return Math.max(1, Math.floor((config.maxFrameBytes - FRAME_OVERHEAD_BYTES) / perPart))
}

/** What the codec must accept for this configuration. */
export function antiEntropyLimits(config: AntiEntropyConfig, rbsr: RbsrConfig): AntiEntropyLimits {
  return {
    maxDigestObjects: config.maxDigestObjects,
    maxNameBytes: config.maxNameBytes,
    maxParts: maxObjectsPerSession(config, rbsr),
    maxPayloadBytes: rbsr.maxMessageBytes,
    maxFrameBytes: config.maxFrameBytes,
  }
}

export class AntiEntropy implements Core<AntiEntropyMessage, AntiEntropyMessage, AntiEntropyEvent> {
  readonly self: NodeId
  private readonly config: AntiEntropyConfig
  private readonly rbsr: RbsrConfig
  private readonly random: Random
  private readonly source: ItemSource
  private readonly maxObjects: number
  private readonly neighbors = new Set<NodeId>()
  private readonly sessions = new Map<string, Session>()
  private readonly indexes: BoundedMap<string, { readonly fingerprint: string; readonly index: ItemIndex }>
  private nextRoundAt: Millis
  private outbox: Outgoing[] = []
  private events: AntiEntropyEvent[] = []
  private roundTripObservations: number[] = []
  readonly rejections = new RejectionCounter<AntiEntropyRejection>()
  /** Why reconciliation messages were refused (a subset of `rejections['reconcile-refused']`). */
  readonly refusedReconciliations = new RejectionCounter<RbsrRejection>()
  readonly counters = {
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    sessionsStarted: 0,
    sessionsAnswered: 0,
    sessionsCompleted: 0,
    sessionsTimedOut: 0,
    /** Dropped before completion: the peer went away, sent too much, or opened a newer session. */
    sessionsAborted: 0,
    /** Intervals with no neighbour, no object, or all session slots taken. */
    roundsSkipped: 0,
    objectsInSync: 0,
    objectsReconciled: 0,
    /** Objects that differed but did not fit in the session; a later session takes them. */
    objectsDeferred: 0,
    objectsAbandoned: 0,
    /** Objects left out of digests: a name longer than `maxNameBytes` or a fingerprint not 16 bytes. */
    objectsInvalid: 0,
    itemsHave: 0,
    itemsNeed: 0,
    outboxDropped: 0,
    eventsDropped: 0,
  }

  constructor(init: AntiEntropyInit) {
    this.self = init.self
    this.config = init.config
    this.rbsr = init.rbsr
    this.random = init.random
    this.source = init.source
    this.maxObjects = maxObjectsPerSession(init.config, init.rbsr)
    this.indexes = new BoundedMap(init.config.indexCacheSize)
    this.nextRoundAt = this.jittered(init.now)
  }

  // ── neighbours ────────────────────────────────────────────────────────────────────────────────────

  neighborUp(_now: Millis, peer: NodeId): void {
    if (peer !== this.self) this.neighbors.add(peer)
  }

  /** Sessions with `peer` end with it: their answers would come over a link the overlay let go. */
  neighborDown(_now: Millis, peer: NodeId): void {
    this.neighbors.delete(peer)
    for (const [key, session] of this.sessions) {
      if (session.peer !== peer) continue
      this.sessions.delete(key)
      this.counters.sessionsAborted++
    }
  }

  isNeighbor(peer: NodeId): boolean {
    return this.neighbors.has(peer)
  }

  get neighborCount(): number {
    return this.neighbors.size
  }

  get sessionCount(): number {
    return this.sessions.size
  }

  /** Round trips of the sessions completed since the last call (for the metrics histogram). */
  takeRoundTrips(): number[] {
    const taken = this.roundTripObservations
    this.roundTripObservations = []
    return taken
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────────────

  tick(now: Millis): void {
    for (const [key, session] of this.sessions) {
      if (session.expiresAt > now) continue
      this.sessions.delete(key)
      this.counters.sessionsTimedOut++
    }
    if (now >= this.nextRoundAt) {
      this.nextRoundAt = this.jittered(now)
      this.startSession(now)
    }
  }

  nextDeadline(): Millis | undefined {
    let deadline = this.nextRoundAt
    for (const session of this.sessions.values()) deadline = Math.min(deadline, session.expiresAt)
    return deadline
  }

  private jittered(now: Millis): Millis {
    return now + Math.round(this.config.intervalMs * (0.5 + this.random.float()))
  }

  private startSession(now: Millis): void {
    const initiated = [...this.sessions.values()].filter((session) => session.initiated).length
    const peer = this.random.pick([...this.neighbors])
    if (
      peer === undefined ||
      initiated >= this.config.maxInitiatedSessions ||
      this.sessions.size >= this.config.maxSessions
    ) {
      this.counters.roundsSkipped++
      return
    }
    const objects = this.digestObjects()
    const id = this.random.nextU32()
    if (objects.length === 0 || this.sessions.has(sessionKey(true, id, peer))) {
      this.counters.roundsSkipped++
      return
    }
    this.sessions.set(sessionKey(true, id, peer), {
      peer,
      id,
      initiated: true,
      objects: new Map(),
      offered: new Set(objects.map((object) => object.name)),
      messages: 1,
      expiresAt: now + this.config.sessionTimeoutMs,
    })
    this.counters.sessionsStarted++
    this.send(peer, { type: 'digest', session: id, objects })
  }

  private digestObjects(): { name: string; fingerprint: Uint8Array }[] {
    const valid = this.source.names().filter((name) => {
      if (UTF8.encode(name).length <= this.config.maxNameBytes) return true
      this.counters.objectsInvalid++
      return false
    })
    const names = new Set(
      valid.length > this.config.maxDigestObjects
        ? this.random.sample(valid, this.config.maxDigestObjects)
        : valid,
    )
    const objects: { name: string; fingerprint: Uint8Array }[] = []
    for (const name of names) {
      const fingerprint = this.source.fingerprint(name)
      if (fingerprint.length === OBJECT_FINGERPRINT_BYTES) objects.push({ name, fingerprint })
      else this.counters.objectsInvalid++
    }
    return objects
  }

  // ── input ─────────────────────────────────────────────────────────────────────────────────────────

  receive(now: Millis, from: NodeId, message: AntiEntropyMessage): void {
    this.counters.messagesReceived++
    this.counters.bytesReceived += encodedAntiEntropyBytes(message)
    if (!this.neighbors.has(from)) {
      this.rejections.add('stranger')
      return
    }
    if (message.type === 'digest') this.onDigest(now, from, message.session, message.objects)
    else this.onReconcile(now, from, message)
  }

  /** Answers a digest: the first reconciliation message of every object whose fingerprints differ. */
  private onDigest(
    now: Millis,
    from: NodeId,
    id: number,
    objects: readonly { name: string; fingerprint: Uint8Array }[],
  ): void {
    // one answered session per peer: a peer that opens another has given up on the last
    for (const [key, session] of this.sessions) {
      if (session.peer !== from || session.initiated) continue
      this.sessions.delete(key)
      this.counters.sessionsAborted++
    }
    if (this.sessions.size >= this.config.maxSessions) {
      this.rejections.add('busy')
      return
    }
    const replicated = new Set(this.source.names())
    const differing = new Set<string>()
    for (const { name, fingerprint } of objects) {
      if (!replicated.has(name) || differing.has(name)) continue
      if (equalBytes(this.source.fingerprint(name), fingerprint)) this.counters.objectsInSync++
      else differing.add(name)
    }
    const chosen =
      differing.size > this.maxObjects ? this.random.sample([...differing], this.maxObjects) : [...differing]
    this.counters.objectsDeferred += differing.size - chosen.length
    this.counters.sessionsAnswered++
    const session: Session = {
      peer: from,
      id,
      initiated: false,
      objects: new Map(),
      offered: new Set(),
      messages: 1,
      expiresAt: now + this.config.sessionTimeoutMs,
    }
    const parts: ReconcilePart[] = []
    for (const name of chosen) {
      const reconciler = new Reconciler(this.indexFor(name), this.rbsr, this.random.nextU32())
      session.objects.set(name, reconciler)
      parts.push({ name, payload: reconciler.initiate() })
    }
    this.sendInSession(session, parts, true)
    if (session.objects.size === 0) this.complete(session)
    else this.sessions.set(sessionKey(false, id, from), session)
  }

  private onReconcile(
    now: Millis,
    from: NodeId,
    message: Extract<AntiEntropyMessage, { type: 'reconcile' }>,
  ): void {
    const key = sessionKey(!message.fromInitiator, message.session, from)
    const session = this.sessions.get(key)
    if (session === undefined) {
      this.rejections.add('unknown-session')
      return
    }
    session.messages++
    session.expiresAt = now + this.config.sessionTimeoutMs
    if (session.messages > this.config.maxSessionMessages) {
      this.rejections.add('too-many-messages')
      this.sessions.delete(key)
      this.counters.sessionsAborted++
      return
    }
    const replies: ReconcilePart[] = []
    const seen = new Set<string>()
    for (const part of message.parts) {
      if (seen.has(part.name)) continue
      seen.add(part.name)
      const reply = this.onPart(now, session, part)
      if (reply !== undefined) replies.push(reply)
    }
    // the answer to a digest starts every object it will reconcile; the others agreed
    session.offered.clear()
    this.sendInSession(session, replies, false)
    if (session.objects.size === 0) {
      this.sessions.delete(key)
      this.complete(session)
    }
  }

  /** One object's message: the reply to send, if any. */
  private onPart(now: Millis, session: Session, part: ReconcilePart): ReconcilePart | undefined {
    const { name } = part
    let reconciler = session.objects.get(name)
    if (reconciler === undefined) {
      if (!session.offered.has(name) || session.objects.size >= this.maxObjects) {
        this.rejections.add('unexpected-object')
        return undefined
      }
      reconciler = new Reconciler(this.indexFor(name), this.rbsr)
      session.objects.set(name, reconciler)
    }
    if (part.payload.length === 0) {
      // the peer gave up on this object
      session.objects.delete(name)
      this.counters.objectsAbandoned++
      return undefined
    }
    const step = reconciler.reconcile(part.payload)
    if (!step.ok) {
      this.rejections.add('reconcile-refused')
      this.refusedReconciliations.add(step.error)
      session.objects.delete(name)
      this.counters.objectsAbandoned++
      return { name, payload: EMPTY }
    }
    if (step.value.done) this.finish(now, session, name, reconciler)
    return step.value.reply === undefined ? undefined : { name, payload: step.value.reply }
  }

  private finish(now: Millis, session: Session, name: string, reconciler: Reconciler): void {
    session.objects.delete(name)
    this.counters.objectsReconciled++
    const have = reconciler.have
    const need = reconciler.need
    this.counters.itemsHave += have.length
    this.counters.itemsNeed += need.length
    if (have.length === 0 && need.length === 0) return
    if (this.events.length >= MAX_PENDING_EVENTS) {
      this.counters.eventsDropped++
      return
    }
    this.events.push({ type: 'ReconcileNeeded', at: now, peer: session.peer, name, have, need })
  }

  private complete(session: Session): void {
    this.counters.sessionsCompleted++
    if (this.roundTripObservations.length >= MAX_PENDING_OBSERVATIONS) this.roundTripObservations.shift()
    this.roundTripObservations.push(Math.ceil(session.messages / 2))
  }

  /** The index of `name`'s items, kept while its fingerprint stays the same. */
  private indexFor(name: string): ItemIndex {
    const fingerprint = idKey(this.source.fingerprint(name))
    const cached = this.indexes.get(name)
    if (cached !== undefined && cached.fingerprint === fingerprint) return cached.index
    const index = new ItemIndex(this.source.items(name) ?? [])
    this.indexes.set(name, { fingerprint, index })
    return index
  }

  // ── output ────────────────────────────────────────────────────────────────────────────────────────

  /** Sends the session's parts; an answer to a digest is sent even with none (the replicas agree). */
  private sendInSession(session: Session, parts: ReconcilePart[], evenIfEmpty: boolean): void {
    if (parts.length === 0 && !evenIfEmpty) return
    session.messages++
    this.send(session.peer, {
      type: 'reconcile',
      session: session.id,
      fromInitiator: session.initiated,
      parts,
    })
  }

  private send(to: NodeId, message: AntiEntropyMessage): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      this.counters.outboxDropped++
      return
    }
    this.counters.messagesSent++
    this.counters.bytesSent += encodedAntiEntropyBytes(message)
    this.outbox.push({ to, message })
  }

  takeOutbox(): readonly Outgoing[] {
    if (this.outbox.length === 0) return NO_OUTBOX
    const out = this.outbox
    this.outbox = []
    return out
  }

  takeEvents(): readonly AntiEntropyEvent[] {
    if (this.events.length === 0) return NO_EVENTS
    const out = this.events
    this.events = []
    return out
  }
}

function sessionKey(initiated: boolean, id: number, peer: NodeId): string {
  return `${initiated ? 'i' : 'r'}.${id}.${peer}`
}
