/**
 * Application publish/subscribe on the broadcast beneath. The semantics are the Macula SDK's
 * (`shared/reference/seed-systems.md` §1.2, after macula-io/macula `docs/guides/pubsub/PUBSUB_GUIDE.md`):
 * every publication carries its publisher and a sequence number, is signed by its publisher end to end,
 * is deduplicated by its id, and reaches each subscription in one of three delivery modes: `ordered`
 * (the default: per-publisher FIFO, a missing number skipped after a timeout and counted as a gap),
 * `latest-only` (never older than what was delivered) and `as-arrives`. Ordering across publishers is
 * not offered, as in Macula.
 *
 * Underneath is Plumtree (`../broadcast/`): `publish` signs and encodes the publication and asks the
 * broadcast module to send it on the `pubsub` channel (a `PublishRequested` event, which the module
 * declares as a drive of broadcast); the broadcast's `Delivered` events on that channel come back here,
 * the publisher's own included, so local and remote subscribers take one path.
 *
 * Departures from Macula:
 * - No routing by subscription: the broadcast reaches every node and each node keeps what it subscribed
 *   to. Topics name kinds of facts (small, infrequent); a data stream belongs on a task or a stream.
 * - The sequence number counts per publisher *and topic*, from 1 in each boot epoch. With one counter
 *   per publisher, a subscriber of one topic would wait on every publication on the publisher's other
 *   topics as a gap. A publication's id is therefore (topic, publisher, epoch, seq), the epoch fixed for
 *   one life of the publisher's node, as the broadcast's ids are.
 * - The gap timeout is 3 s, not 250 ms: a lost copy is repaired by the broadcast's grafts and exchange,
 *   which take longer than one direct link (`config.ts`).
 * - The dedupe window is a count of ids, not 60 s, and a duplicate is dropped before its signature is
 *   checked; an id is remembered only once its signature held, so a forged copy that arrives first
 *   cannot make the real one a duplicate.
 * - The publisher must be the node the broadcast came from: nobody republishes another's publications
 *   (Macula's `replication_factor`); a replayed one is refused, even after its id was forgotten.
 * - `ordered` and `latest-only` subscriptions to one topic share their per-publisher cursor: a later
 *   subscription starts where the others are.
 *
 * Everything remote input can make this node hold is bounded and what a bound drops is counted:
 * publishers per topic (least recently heard forgotten first, letting go in order what they held
 * back), the reorder buffer per publisher and in total (count and bytes; a full buffer skips its oldest
 * gap early), the dedupe window. Topics and subscriptions grow only by local calls, bounded by errors.
 */
import {
  BoundedMap,
  MeshError,
  type Millis,
  type NodeId,
  RejectionCounter,
  type Signer,
} from '../../kernel/index.ts'
import type { Core } from '../index.ts'
import { decodePublication, encodeSignedPublication, verifyEnvelope } from './codec.ts'
import { PUBSUB_CHANNEL, type PubSubConfig } from './config.ts'
import { HeldBack } from './held-back.ts'
import { OrderedStream, type StreamSink } from './ordered-stream.ts'
import { checkTopic, topicProblem } from './topic.ts'
import {
  DELIVERY_MODES,
  type DeliveryMode,
  type GapReason,
  type Publication,
  type PublicationId,
  type PubSubEvent,
  type PubSubRejection,
  type SubscribeOptions,
  type SubscriptionId,
} from './types.ts'

export interface PubSubInit {
  readonly self: NodeId
  /** Local time at construction: the epoch of this node's publications. */
  readonly now: Millis
  readonly signer: Signer
  readonly config: PubSubConfig
  /** The broadcast channel publications travel on. */
  readonly channel?: string
}

interface Subscriber {
  readonly id: SubscriptionId
  readonly topic: TopicState
  readonly delivery: DeliveryMode
}

interface TopicState {
  readonly name: string
  readonly subscribers: Record<DeliveryMode, Subscriber[]>
  /** Per publisher, while the topic has `ordered` or `latest-only` subscriptions. */
  readonly publishers: BoundedMap<NodeId, PublisherState>
}

interface PublisherState {
  readonly topic: TopicState
  readonly publisher: NodeId
  /** The newest publication delivered to `latest-only` subscriptions (epoch −1: none yet). */
  latestEpoch: number
  latestSeq: number
  ordered: OrderedStream<Publication> | undefined
  readonly sink: StreamSink<Publication>
}

const NO_EVENTS: readonly PubSubEvent[] = []
const NO_OUTBOX: readonly { to: NodeId; message: never }[] = []
const MAX_PENDING_EVENTS = 65_536

export class PubSub implements Core<never, never, PubSubEvent> {
  readonly self: NodeId
  readonly epoch: number
  readonly channel: string
  private readonly config: PubSubConfig
  private readonly signer: Signer
  /** The last sequence number published per topic; never forgotten within a life (`config.ts`). */
  private readonly published = new Map<string, number>()
  private readonly subscriptions = new Map<SubscriptionId, Subscriber>()
  private readonly topics = new Map<string, TopicState>()
  private nextSubscriptionId: SubscriptionId = 1
  private readonly seen: BoundedMap<string, true>
  private readonly held: HeldBack<Publication>
  /** The time of the input being handled, for the events the ordered streams' sinks emit. */
  private now: Millis
  private events: PubSubEvent[] = []
  readonly rejections = new RejectionCounter<PubSubRejection>()
  readonly counters = {
    published: 0,
    /** Publications that arrived on the channel, before any check. */
    arrived: 0,
    /** `Received` events: deliveries to subscriptions. */
    delivered: 0,
    duplicates: 0,
    /** Publications on topics this node does not subscribe to (not checked further). */
    unsubscribed: 0,
    /** `ordered`: from an epoch before the one followed. */
    stale: 0,
    /** `ordered`: behind the cursor, its number already skipped. */
    late: 0,
    /** `latest-only`: older than one already delivered. */
    superseded: 0,
    /** Gaps given up on after the first delivery from a publisher's epoch: losses. */
    gapsSkipped: 0,
    seqsSkipped: 0,
    /** Gaps before the first delivery from a publisher's epoch (`before-first`): late starts, or losses. */
    lateStarts: 0,
    publishersEvicted: 0,
    /** Held-back publications dropped because their last `ordered` subscription went. */
    heldDropped: 0,
    eventsDropped: 0,
  }

  constructor(init: PubSubInit) {
    this.self = init.self
    this.config = init.config
    this.signer = init.signer
    this.channel = init.channel ?? PUBSUB_CHANNEL
    // whole milliseconds of the start time: a later life of this node has a later epoch
    this.epoch = Math.max(0, Math.floor(init.now))
    this.now = init.now
    this.seen = new BoundedMap(init.config.dedupeCapacity)
    this.held = new HeldBack(init.config)
  }

  // ── local operations ──────────────────────────────────────────────────────────────────────────────

  /** Signs and publishes `payload` on `topic`; subscriptions here receive it too. Returns its id. */
  publish(now: Millis, topic: string, payload: Uint8Array): PublicationId {
    checkTopic(topic, this.config.maxTopicBytes)
    if (payload.length > this.config.maxPayloadBytes) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a publication's payload is at most ${this.config.maxPayloadBytes} bytes, got ${payload.length}`,
        { topic, bytes: payload.length },
      )
    }
    const last = this.published.get(topic)
    if (last === undefined && this.published.size >= this.config.maxPublishedTopics) {
      throw new MeshError(
        'CAPACITY_EXCEEDED',
        `this node already published on ${this.published.size} topics, the most it keeps counters for`,
        { topic, maxPublishedTopics: this.config.maxPublishedTopics },
      )
    }
    const seq = (last ?? 0) + 1
    this.published.set(topic, seq)
    const id: PublicationId = { topic, publisher: this.self, epoch: this.epoch, seq }
    const envelope = encodeSignedPublication(id, payload, this.signer)
    this.counters.published++
    this.emit({ type: 'PublishRequested', at: now, channel: this.channel, topic, seq, envelope })
    return id
  }

  /** Subscribes to `topic`; the subscription's `Received` and `GapSkipped` events carry the id returned. */
  subscribe(topic: string, options: SubscribeOptions = {}): SubscriptionId {
    checkTopic(topic, this.config.maxTopicBytes)
    const delivery = options.delivery ?? 'ordered'
    if (!DELIVERY_MODES.includes(delivery)) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `delivery must be one of ${DELIVERY_MODES.join(', ')}, got ${String(delivery)}`,
        { delivery: String(delivery) },
      )
    }
    if (this.subscriptions.size >= this.config.maxSubscriptions) {
      throw new MeshError('CAPACITY_EXCEEDED', `at most ${this.config.maxSubscriptions} subscriptions`, {
        maxSubscriptions: this.config.maxSubscriptions,
      })
    }
    let state = this.topics.get(topic)
    if (state === undefined) {
      if (this.topics.size >= this.config.maxTopics) {
        throw new MeshError('CAPACITY_EXCEEDED', `at most ${this.config.maxTopics} topics subscribed`, {
          topic,
          maxTopics: this.config.maxTopics,
        })
      }
      state = this.newTopic(topic)
      this.topics.set(topic, state)
    }
    const subscriber: Subscriber = { id: this.nextSubscriptionId++, topic: state, delivery }
    state.subscribers[delivery].push(subscriber)
    this.subscriptions.set(subscriber.id, subscriber)
    return subscriber.id
  }

  /** Ends a subscription; false when there was none with this id. */
  unsubscribe(id: SubscriptionId): boolean {
    const subscriber = this.subscriptions.get(id)
    if (subscriber === undefined) return false
    this.subscriptions.delete(id)
    const { topic, delivery } = subscriber
    const list = topic.subscribers[delivery]
    list.splice(list.indexOf(subscriber), 1)
    const { ordered, 'latest-only': latest, 'as-arrives': asArrives } = topic.subscribers
    if (ordered.length === 0) for (const state of topic.publishers.values()) this.dropHeld(state)
    if (ordered.length === 0 && latest.length === 0) topic.publishers.clear()
    if (ordered.length + latest.length + asArrives.length === 0) this.topics.delete(topic.name)
    return true
  }

  get subscriptionCount(): number {
    return this.subscriptions.size
  }

  get topicCount(): number {
    return this.topics.size
  }

  /** Publications held back by gaps, over all publishers. */
  get heldCount(): number {
    return this.held.count
  }

  get heldBytes(): number {
    return this.held.bytes
  }

  /** Publishers tracked, over all topics. */
  get publisherCount(): number {
    let count = 0
    for (const topic of this.topics.values()) count += topic.publishers.size
    return count
  }

  get dedupeEvicted(): number {
    return this.seen.evicted
  }

  // ── input ─────────────────────────────────────────────────────────────────────────────────────────

  /** Pub/sub sends nothing of its own: publications arrive as broadcast deliveries (`delivered`). */
  receive(_now: Millis, _from: NodeId, _message: never): void {}

  /**
   * A broadcast delivered here (`origin` is the node that broadcast it). Decoded, checked in order of
   * cost — shape, origin, interest, duplicate, signature — and delivered to the topic's subscriptions.
   */
  delivered(now: Millis, origin: NodeId, channel: string, envelope: Uint8Array): void {
    if (channel !== this.channel) return
    this.now = now
    this.counters.arrived++
    const decoded = decodePublication(envelope, this.config)
    if (!decoded.ok) {
      const oversized = decoded.error === 'length-too-large' || decoded.error === 'frame-too-large'
      this.rejections.add(oversized ? 'oversized' : 'malformed')
      return
    }
    const { publication } = decoded.value
    if (topicProblem(publication.topic, this.config.maxTopicBytes) !== undefined) {
      this.rejections.add('bad-topic')
      return
    }
    if (publication.publisher !== origin) {
      this.rejections.add('origin-mismatch')
      return
    }
    const topic = this.topics.get(publication.topic)
    if (topic === undefined) {
      this.counters.unsubscribed++
      return
    }
    // the topic cannot hold a NUL (`topic.ts`), so the last NUL ends the publisher: one key per id
    const key = `${publication.epoch}.${publication.seq}:${publication.publisher}\0${publication.topic}`
    if (this.seen.has(key)) {
      this.counters.duplicates++
      return
    }
    if (!verifyEnvelope(decoded.value, this.signer)) {
      this.rejections.add('bad-signature')
      return
    }
    this.seen.set(key, true)
    this.accept(now, topic, publication)
  }

  private accept(now: Millis, topic: TopicState, publication: Publication): void {
    const { ordered, 'latest-only': latest, 'as-arrives': asArrives } = topic.subscribers
    for (const subscriber of asArrives) this.emitReceived(subscriber, publication)
    if (ordered.length === 0 && latest.length === 0) return
    const state = this.publisherState(topic, publication.publisher)
    if (latest.length > 0) {
      const { epoch, seq } = publication
      if (epoch > state.latestEpoch || (epoch === state.latestEpoch && seq > state.latestSeq)) {
        state.latestEpoch = epoch
        state.latestSeq = seq
        for (const subscriber of latest) this.emitReceived(subscriber, publication)
      } else {
        this.counters.superseded++
      }
    }
    if (ordered.length > 0) this.offerOrdered(now, state, publication)
  }

  private offerOrdered(now: Millis, state: PublisherState, publication: Publication): void {
    state.ordered ??= new OrderedStream(this.config.gapTimeoutMs)
    const { epoch, seq, payload } = publication
    this.held.change(state, (stream) => {
      const outcome = stream.offer(now, epoch, seq, publication, payload.length, state.sink)
      if (outcome === 'stale') this.counters.stale++
      else if (outcome === 'late') this.counters.late++
    })
    this.held.enforce(state)
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────────────

  tick(now: Millis): void {
    this.now = now
    this.held.skipDue(now)
  }

  nextDeadline(): Millis | undefined {
    return this.held.nextDeadline()
  }

  takeOutbox(): readonly { to: NodeId; message: never }[] {
    return NO_OUTBOX
  }

  takeEvents(): readonly PubSubEvent[] {
    if (this.events.length === 0) return NO_EVENTS
    const out = this.events
    this.events = []
    return out
  }

  // ── state ─────────────────────────────────────────────────────────────────────────────────────────

  private newTopic(name: string): TopicState {
    const publishers = new BoundedMap<NodeId, PublisherState>(
      this.config.maxPublishersPerTopic,
      (_publisher, state) => {
        this.counters.publishersEvicted++
        this.held.change(state, (stream) => stream.flush('evicted', state.sink))
      },
    )
    return { name, subscribers: { ordered: [], 'latest-only': [], 'as-arrives': [] }, publishers }
  }

  /** The state of `publisher` on `topic`, made the most recently heard; created (evicting) if new. */
  private publisherState(topic: TopicState, publisher: NodeId): PublisherState {
    const known = topic.publishers.get(publisher)
    if (known !== undefined) {
      topic.publishers.touch(publisher)
      return known
    }
    const state: PublisherState = {
      topic,
      publisher,
      latestEpoch: -1,
      latestSeq: 0,
      ordered: undefined,
      sink: {
        deliver: (publication) => {
          for (const subscriber of topic.subscribers.ordered) this.emitReceived(subscriber, publication)
        },
        skipped: (epoch, fromSeq, toSeq, reason) => this.gapSkipped(state, epoch, fromSeq, toSeq, reason),
      },
    }
    topic.publishers.set(publisher, state)
    return state
  }

  private dropHeld(state: PublisherState): void {
    this.held.change(state, (stream) => {
      this.counters.heldDropped += stream.clear()
    })
    state.ordered = undefined
  }

  // ── output ────────────────────────────────────────────────────────────────────────────────────────

  private emitReceived(subscriber: Subscriber, publication: Publication): void {
    this.counters.delivered++
    this.emit({
      type: 'Received',
      at: this.now,
      subscription: subscriber.id,
      topic: publication.topic,
      publisher: publication.publisher,
      epoch: publication.epoch,
      seq: publication.seq,
      payload: publication.payload,
    })
  }

  private gapSkipped(
    state: PublisherState,
    epoch: number,
    fromSeq: number,
    toSeq: number,
    reason: GapReason,
  ): void {
    if (reason === 'before-first') {
      this.counters.lateStarts++
    } else {
      this.counters.gapsSkipped++
      this.counters.seqsSkipped += toSeq - fromSeq + 1
    }
    for (const subscriber of state.topic.subscribers.ordered) {
      this.emit({
        type: 'GapSkipped',
        at: this.now,
        subscription: subscriber.id,
        topic: state.topic.name,
        publisher: state.publisher,
        epoch,
        fromSeq,
        toSeq,
        reason,
      })
    }
  }

  private emit(event: PubSubEvent): void {
    if (this.events.length >= MAX_PENDING_EVENTS) {
      this.counters.eventsDropped++
      return
    }
    this.events.push(event)
  }
}
