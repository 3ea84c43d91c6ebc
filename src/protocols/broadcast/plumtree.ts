/**
 * Epidemic broadcast trees (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007): a
 * broadcast is pushed eagerly along a spanning tree embedded in the overlay's active view, and announced
 * lazily (IHAVE, ids only) on the other links. A node that receives a message twice prunes the link it
 * came on the second time (both ends make it lazy), so the eager links settle into a tree and steady
 * traffic carries each payload about once per node; a node that hears an announcement of a message it
 * never got grafts the announcer (the link becomes eager again and sends the message), which repairs the
 * tree when a branch breaks.
 *
 * Departures from the paper:
 * - Neighbours come from the overlay module's NeighborUp/NeighborDown events (`module.ts`), not from a
 *   membership service the core calls; a neighbour goes eager when it comes up, as in the paper.
 * - Message ids are (origin, epoch, seq), not a hash of the payload: the epoch is fixed for one life of
 *   the origin's node, so a restarted node's sequence numbers cannot collide with its last life's, and a
 *   duplicate is recognised from the id alone, before anything reads the payload — upper layers verify
 *   signatures on deliveries only, and never see a duplicate (`shared/reference/state.md` §10).
 * - A new neighbour is told (IHAVE) what passed here in the last `catchUpMs`, as gossipsub's IHAVE
 *   gossip tells peers of recent messages: a node whose links all changed while a message crossed the
 *   overlay would otherwise never see it (simulated at 1,000 nodes: one node in a thousand, in 5 of 40
 *   seeds, missed a flood without any loss).
 * - While it holds messages from the last `catchUpMs`, a node tells one random neighbour their ids every
 *   `exchangeIntervalMs` (Partisan's Plumtree has such an exchange timer). Plumtree assumes reliable links;
 *   at 5 % simulated loss an eager copy lost on a node's only link was never repaired (seed 22, n435).
 * - One timer constant: a missing message is grafted `graftTimeoutMs` after its first announcement, and
 *   each further announcer `graftTimeoutMs` after the last graft (the paper has two timeouts). With one,
 *   the waiting list's insertion order is its deadline order, so the next deadline is its first entry.
 * - Everything a peer can make this node hold is bounded and counted: remembered ids (`seenCapacity`,
 *   oldest forgotten first), stored payloads for grafts (`storeCapacity`, `storeTtlMs`), missing messages
 *   (`maxMissing`), announcers per missing message, queued announcements per neighbour. Announcements
 *   from peers that are not neighbours are ignored, so strangers cannot fill the waiting list, and only
 *   neighbours enter the eager and lazy sets.
 */
import { BoundedMap, MeshError, type Millis, type NodeId, type Random } from '../../kernel/index.ts'
import type { Core } from '../index.ts'
import type { BroadcastConfig } from './config.ts'
import type {
  Announcement,
  BroadcastEvent,
  BroadcastMessage,
  GossipMessage,
  GraftMessage,
  MessageId,
} from './types.ts'

/** What this node remembers of a message it received: its hop count here, and who sent it. */
interface Seen {
  hops: number
  /** The neighbour it came from eagerly; undefined for our own broadcasts. */
  from: NodeId | undefined
}

interface Stored {
  readonly message: GossipMessage
  readonly storedAt: Millis
}

interface Missing {
  readonly id: MessageId
  /** Neighbours that announced it, in the order they are grafted; each with its announced round. */
  readonly announcers: { peer: NodeId; round: number }[]
  dueAt: Millis
  grafts: number
}

export interface PlumtreeInit {
  readonly self: NodeId
  readonly config: BroadcastConfig
  /** Local time at construction: the epoch of this node's message ids. */
  readonly now: Millis
  /** Where each node starts its round of exchanges, so that neighbours are not told in lockstep. */
  readonly random: Random
}

const UTF8 = new TextEncoder()
const NO_EVENTS: readonly BroadcastEvent[] = []
const NO_OUTBOX: readonly { to: NodeId; message: BroadcastMessage }[] = []
/** Outgoing frames held between two takes; beyond this, frames are dropped and counted. */
const MAX_OUTBOX = 65_536
const MAX_PENDING_EVENTS = 65_536

/** The key of a message id in the maps: one string, built once per message received. */
export function messageKey(id: MessageId): string {
  return `${id.epoch}.${id.seq}.${id.origin}`
}

export class Plumtree implements Core<BroadcastMessage, BroadcastMessage, BroadcastEvent> {
  readonly self: NodeId
  private readonly config: BroadcastConfig
  private readonly epoch: number
  private seq = 0
  private readonly eager = new Set<NodeId>()
  private readonly lazy = new Set<NodeId>()
  private readonly seen: BoundedMap<string, Seen>
  private readonly store: BoundedMap<string, Stored>
  /** Insertion order is deadline order (one timeout constant; an entry re-armed moves to the end). */
  private readonly missing = new Map<string, Missing>()
  private readonly pending = new Map<NodeId, Announcement[]>()
  private lazyFlushAt: Millis | undefined
  /** When the next exchange of recent ids is due; undefined while nothing recent is stored. */
  private nextExchangeAt: Millis | undefined
  /** Whose turn the next exchange is, counting round the neighbours; starts anywhere. */
  private exchangeTurn: number
  private outbox: { to: NodeId; message: BroadcastMessage }[] = []
  private events: BroadcastEvent[] = []
  readonly counters = {
    broadcasts: 0,
    delivered: 0,
    duplicates: 0,
    gossipSent: 0,
    ihaveSent: 0,
    graftsSent: 0,
    prunesSent: 0,
    /** Grafts we could not answer: the message was no longer stored. */
    graftsUnanswered: 0,
    /** Recent messages announced to new neighbours and in exchanges. */
    catchUpAnnouncements: 0,
    /** Exchanges of recent ids sent. */
    exchanges: 0,
    /** Announcements ignored because their sender is not a neighbour. */
    strangerAnnouncements: 0,
    /** Announced messages not waited for because the waiting list was full. */
    missingDropped: 0,
    /** Messages given up after every announcer was grafted without an answer. */
    missingAbandoned: 0,
    outboxDropped: 0,
    eventsDropped: 0,
  }

  constructor(init: PlumtreeInit) {
    this.self = init.self
    this.config = init.config
    // whole milliseconds of the start time: a later life of this node has a later epoch
    this.epoch = Math.max(0, Math.floor(init.now))
    this.exchangeTurn = init.random.intBelow(2 ** 30)
    this.seen = new BoundedMap(init.config.seenCapacity)
    this.store = new BoundedMap(init.config.storeCapacity)
  }

  // ── local operations ──────────────────────────────────────────────────────────────────────────────

  /** Broadcasts `payload` on `channel` to every node; delivers it here first. Returns its id. */
  broadcast(now: Millis, channel: string, payload: Uint8Array): MessageId {
    if (payload.length > this.config.maxPayloadBytes) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a broadcast payload is at most ${this.config.maxPayloadBytes} bytes, got ${payload.length}`,
      )
    }
    if (UTF8.encode(channel).length > this.config.maxChannelBytes) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a broadcast channel name is at most ${this.config.maxChannelBytes} bytes`,
      )
    }
    this.counters.broadcasts++
    const message: GossipMessage = {
      type: 'gossip',
      origin: this.self,
      epoch: this.epoch,
      seq: ++this.seq,
      round: 0,
      channel,
      payload,
    }
    const key = messageKey(message)
    this.seen.set(key, { hops: 0, from: undefined })
    this.keep(key, message, now)
    this.deliver(now, message, 0)
    this.push(now, message, undefined)
    return { origin: message.origin, epoch: message.epoch, seq: message.seq }
  }

  /**
   * `peer` became an overlay neighbour: links start eager (the tree forms by pruning). It is also told
   * what passed here in the last `catchUpMs`: a message that crossed the overlay while the new link did
   * not exist never reaches a node whose every link is that new, unless someone announces it.
   */
  neighborUp(now: Millis, peer: NodeId): void {
    if (peer === this.self || this.eager.has(peer) || this.lazy.has(peer)) return
    this.eager.add(peer)
    this.announceRecent(now, peer)
  }

  /** `peer` is no longer a neighbour: forget its links, its queued announcements and what it announced. */
  neighborDown(_now: Millis, peer: NodeId): void {
    this.eager.delete(peer)
    this.lazy.delete(peer)
    this.pending.delete(peer)
    for (const [key, entry] of this.missing) {
      const index = entry.announcers.findIndex((announcer) => announcer.peer === peer)
      if (index >= 0) entry.announcers.splice(index, 1)
      if (entry.announcers.length === 0) this.missing.delete(key)
    }
  }

  eagerPeers(): readonly NodeId[] {
    return [...this.eager]
  }

  lazyPeers(): readonly NodeId[] {
    return [...this.lazy]
  }

  get missingCount(): number {
    return this.missing.size
  }

  get seenEvicted(): number {
    return this.seen.evicted
  }

  // ── input ─────────────────────────────────────────────────────────────────────────────────────────

  receive(now: Millis, from: NodeId, message: BroadcastMessage): void {
    if (from === this.self) return
    switch (message.type) {
      case 'gossip':
        this.onGossip(now, from, message)
        return
      case 'ihave':
        if (!this.isNeighbor(from)) {
          this.counters.strangerAnnouncements += message.announcements.length
          return
        }
        for (const announcement of message.announcements) this.onAnnouncement(now, from, announcement)
        return
      case 'graft':
        this.onGraft(from, message)
        return
      case 'prune':
        if (this.eager.delete(from)) this.lazy.add(from)
        return
    }
  }

  private onGossip(now: Millis, from: NodeId, message: GossipMessage): void {
    const key = messageKey(message)
    if (this.seen.has(key)) {
      this.counters.duplicates++
      // a second copy: this link is redundant for the tree; both ends make it lazy
      if (this.isNeighbor(from)) {
        if (this.eager.delete(from)) this.lazy.add(from)
        this.send(from, { type: 'prune' })
        this.counters.prunesSent++
      }
      return
    }
    const hops = message.round + 1
    this.seen.set(key, { hops, from })
    this.missing.delete(key)
    const forwarded: GossipMessage = { ...message, round: hops }
    this.keep(key, forwarded, now)
    this.deliver(now, message, hops)
    this.push(now, forwarded, from)
    if (this.lazy.delete(from)) this.eager.add(from)
  }

  private onAnnouncement(now: Millis, from: NodeId, announcement: Announcement): void {
    const key = messageKey(announcement)
    const seen = this.seen.get(key)
    if (seen !== undefined) {
      this.maybeShorten(from, announcement, seen)
      return
    }
    const entry = this.missing.get(key)
    if (entry === undefined) {
      if (this.missing.size >= this.config.maxMissing) {
        this.counters.missingDropped++
        return
      }
      const id = { origin: announcement.origin, epoch: announcement.epoch, seq: announcement.seq }
      this.missing.set(key, {
        id,
        announcers: [{ peer: from, round: announcement.round }],
        dueAt: now + this.config.graftTimeoutMs,
        grafts: 0,
      })
      return
    }
    if (entry.announcers.length >= this.config.maxAnnouncers) return
    if (entry.announcers.some((announcer) => announcer.peer === from)) return
    entry.announcers.push({ peer: from, round: announcement.round })
  }

  /**
   * Plumtree §3.8: the announcer's path is `optimizationHops` shorter than the eager one the message took,
   * so graft the announcer (without asking for the message again) and prune the eager sender.
   */
  private maybeShorten(from: NodeId, announcement: Announcement, seen: Seen): void {
    const viaAnnouncer = announcement.round + 1
    const eagerSender = seen.from
    if (eagerSender === undefined || eagerSender === from) return
    if (seen.hops - viaAnnouncer < this.config.optimizationHops) return
    seen.hops = viaAnnouncer
    seen.from = from
    if (this.lazy.delete(from)) this.eager.add(from)
    this.send(from, { type: 'graft', id: undefined, round: announcement.round })
    this.counters.graftsSent++
    if (this.isNeighbor(eagerSender)) {
      if (this.eager.delete(eagerSender)) this.lazy.add(eagerSender)
      this.send(eagerSender, { type: 'prune' })
      this.counters.prunesSent++
    }
  }

  private onGraft(from: NodeId, graft: GraftMessage): void {
    if (this.lazy.delete(from)) this.eager.add(from)
    if (graft.id === undefined) return
    const stored = this.store.get(messageKey(graft.id))
    if (stored === undefined) {
      this.counters.graftsUnanswered++
      return
    }
    this.send(from, stored.message)
    this.counters.gossipSent++
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────────────

  tick(now: Millis): void {
    if (this.lazyFlushAt !== undefined && now >= this.lazyFlushAt) this.flushAnnouncements()
    this.graftMissing(now)
    if (this.nextExchangeAt !== undefined && now >= this.nextExchangeAt) this.exchange(now)
    this.expireStore(now)
  }

  nextDeadline(): Millis | undefined {
    let deadline = this.lazyFlushAt
    if (this.nextExchangeAt !== undefined && (deadline === undefined || this.nextExchangeAt < deadline))
      deadline = this.nextExchangeAt
    const first = this.missing.values().next()
    if (!first.done && (deadline === undefined || first.value.dueAt < deadline)) deadline = first.value.dueAt
    const oldest = this.oldestStored()
    if (oldest !== undefined) {
      const expiry = oldest.storedAt + this.config.storeTtlMs
      if (deadline === undefined || expiry < deadline) deadline = expiry
    }
    return deadline
  }

  takeOutbox(): readonly { to: NodeId; message: BroadcastMessage }[] {
    if (this.outbox.length === 0) return NO_OUTBOX
    const out = this.outbox
    this.outbox = []
    return out
  }

  takeEvents(): readonly BroadcastEvent[] {
    if (this.events.length === 0) return NO_EVENTS
    const out = this.events
    this.events = []
    return out
  }

  /** Grafts the next announcer of every missing message that is due; gives up after two rounds of them. */
  private graftMissing(now: Millis): void {
    for (const [key, entry] of this.missing) {
      if (entry.dueAt > now) return
      this.missing.delete(key)
      const announcer = entry.announcers.shift()
      if (announcer === undefined) continue
      if (this.lazy.delete(announcer.peer)) this.eager.add(announcer.peer)
      this.send(announcer.peer, { type: 'graft', id: entry.id, round: announcer.round })
      this.counters.graftsSent++
      entry.grafts++
      if (entry.grafts >= 2 * this.config.maxAnnouncers) {
        this.counters.missingAbandoned++
        continue
      }
      // the grafted announcer goes to the back: if its answer is lost, it is asked again after the others
      entry.announcers.push(announcer)
      entry.dueAt = now + this.config.graftTimeoutMs
      this.missing.set(key, entry)
    }
  }

  private expireStore(now: Millis): void {
    for (let oldest = this.oldestStored(); oldest !== undefined; oldest = this.oldestStored()) {
      if (oldest.storedAt + this.config.storeTtlMs > now) return
      this.store.delete(messageKey(oldest.message))
    }
  }

  private oldestStored(): Stored | undefined {
    const first = this.store.keys().next()
    return first.done ? undefined : this.store.get(first.value)
  }

  // ── output ────────────────────────────────────────────────────────────────────────────────────────

  private deliver(now: Millis, message: GossipMessage, hops: number): void {
    this.counters.delivered++
    if (this.events.length >= MAX_PENDING_EVENTS) {
      this.counters.eventsDropped++
      return
    }
    this.events.push({
      type: 'Delivered',
      at: now,
      origin: message.origin,
      epoch: message.epoch,
      seq: message.seq,
      channel: message.channel,
      payload: message.payload,
      hops,
    })
  }

  /** Eager push to the eager links, announcements on the lazy ones; never back to `except`. */
  private push(now: Millis, message: GossipMessage, except: NodeId | undefined): void {
    for (const peer of this.eager) {
      if (peer === except) continue
      this.send(peer, message)
      this.counters.gossipSent++
    }
    for (const peer of this.lazy) {
      if (peer === except) continue
      this.announce(now, peer, message)
    }
  }

  private announce(now: Millis, peer: NodeId, message: GossipMessage): void {
    let queue = this.pending.get(peer)
    if (queue === undefined) {
      queue = []
      this.pending.set(peer, queue)
    }
    queue.push({ origin: message.origin, epoch: message.epoch, seq: message.seq, round: message.round })
    if (queue.length >= this.config.maxAnnouncementsPerBatch) this.flushTo(peer, queue)
    else if (this.lazyFlushAt === undefined) this.lazyFlushAt = now + this.config.lazyIntervalMs
  }

  /**
   * The periodic exchange: one neighbour in turn is told the ids received in the last `catchUpMs`, and
   * grafts what it lacks. Plumtree repairs a branch through its lazy links, but an eager copy lost on a
   * node's only link, or the one catch-up announcement to a node whose links are all new, has nothing
   * behind it; Partisan's Plumtree runs such an exchange on a timer too. Runs only while something recent
   * is stored, so an idle node sends nothing.
   */
  private exchange(now: Millis): void {
    this.nextExchangeAt = undefined
    const neighbors = this.eager.size + this.lazy.size
    if (neighbors > 0) {
      // round robin, so that within `neighbors` exchanges every neighbour has been told once
      let turn = this.exchangeTurn++ % neighbors
      let peer: NodeId | undefined
      for (const candidate of this.eager) if (turn-- === 0) peer = candidate
      if (peer === undefined) for (const candidate of this.lazy) if (turn-- === 0) peer = candidate
      if (peer !== undefined && this.announceRecent(now, peer) > 0) this.counters.exchanges++
    }
    if (this.hasRecent(now)) this.nextExchangeAt = now + this.config.exchangeIntervalMs
  }

  private hasRecent(now: Millis): boolean {
    const newest = this.newestStored()
    return newest !== undefined && newest.storedAt >= now - this.config.catchUpMs
  }

  private newestStored(): Stored | undefined {
    let newest: Stored | undefined
    // the map keeps insertion order; its last entry is the newest (a BoundedMap has no reverse walk)
    for (const key of this.store.keys()) newest = this.store.get(key)
    return newest
  }

  /** Announces to `peer` the newest messages stored within `catchUpMs`, one batch at most; how many. */
  private announceRecent(now: Millis, peer: NodeId): number {
    const recent: GossipMessage[] = []
    for (const key of this.store.keys()) {
      const stored = this.store.get(key) as Stored
      if (stored.storedAt >= now - this.config.catchUpMs) recent.push(stored.message)
    }
    const newest = recent.slice(-this.config.maxAnnouncementsPerBatch)
    for (const message of newest) this.announce(now, peer, message)
    this.counters.catchUpAnnouncements += newest.length
    return newest.length
  }

  private flushAnnouncements(): void {
    this.lazyFlushAt = undefined
    for (const [peer, queue] of this.pending) this.flushTo(peer, queue)
    this.pending.clear()
  }

  private flushTo(peer: NodeId, queue: Announcement[]): void {
    if (queue.length === 0) return
    this.send(peer, { type: 'ihave', announcements: queue.splice(0) })
    this.counters.ihaveSent++
  }

  private keep(key: string, message: GossipMessage, now: Millis): void {
    this.store.set(key, { message, storedAt: now })
    if (this.nextExchangeAt === undefined) this.nextExchangeAt = now + this.config.exchangeIntervalMs
  }

  isNeighbor(peer: NodeId): boolean {
    return this.eager.has(peer) || this.lazy.has(peer)
  }

  private send(to: NodeId, message: BroadcastMessage): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      this.counters.outboxDropped++
      return
    }
    this.outbox.push({ to, message })
  }
}
