/**
 * The replication service's core: named CRDT objects, local operations batched into signed deltas for
 * broadcast, peers' batches verified and merged, and anti-entropy to repair what broadcast missed.
 *
 * It follows delta-state replication (Almeida, Shoker, Baquero, JPDC 2018, §6: deltas shipped as they
 * arise, full-state or decomposed-state exchange to repair) and the digest-first anti-entropy of
 * `../antientropy`. Where it departs:
 * - Deltas travel in batches signed by their origin (ed25519 on the real engine), one signature per
 *   batch (`batch.ts`); a relay cannot forge or alter them. Broadcast drops duplicates by message id
 *   before anything here runs, so a duplicate is never verified.
 * - Anti-entropy reconciles each object's join decomposition (ConflictSync, Gomes, Rodrigues, Baquero,
 *   arXiv 2505.01144): its items are hashes of the state's irreducible fragments, so two replicas that
 *   differ by d fragments exchange about d fragments, not their states. A repair is a neighbour's state,
 *   not its writes: it is bounded but cannot be checked against an origin's signature, so it trusts the
 *   realm's admission (ADR 0015).
 * - A batch is refused and counted when its signature, origin, realm or timestamp window is wrong, when
 *   its origin exceeds its rate, or when a delta carries another node's writes (`admission.ts`).
 *
 * The core runs an `AntiEntropy` core inside it, on this module's protocol (messages tagged `ae`), the
 * way a node composes cores: its deadlines, outbox and events are this core's.
 */
import {
  MeshError,
  type Millis,
  type NodeId,
  type Random,
  RejectionCounter,
  type Signer,
} from '../../kernel/index.ts'
import type { ReconcileNeededEvent } from '../antientropy/index.ts'
import { AntiEntropy, type AntiEntropyConfig, type RbsrConfig } from '../antientropy/index.ts'
import { type AnyCrdt, decodeCrdt, encodeCrdt, HybridClock } from '../crdt/index.ts'
import type { Core } from '../index.ts'
import { actorOf, refusal, writtenBy } from './admission.ts'
import { type BatchDelta, openBatch, sealBatch } from './batch.ts'
import type { ReplicationConfig } from './config.ts'
import { applyOperation, specOf } from './operations.ts'
import { OriginRateLimit } from './origin-rate-limit.ts'
import { ReplicaObjects } from './replica-objects.ts'
import type {
  ObjectSpec,
  ReplicationEvent,
  ReplicationMessage,
  ReplicationRejection,
  StateOp,
} from './types.ts'

export interface ReplicationInit {
  readonly self: NodeId
  readonly now: Millis
  readonly random: Random
  readonly signer: Signer
  /** This incarnation's number: actors are `self:epoch`, unique per incarnation (state.md §1). */
  readonly epoch: number
  readonly config: ReplicationConfig
  readonly antiEntropy: AntiEntropyConfig
  readonly rbsr: RbsrConfig
}

type Outgoing = { readonly to: NodeId; readonly message: ReplicationMessage }

const MAX_OUTBOX = 1_024
const MAX_EVENTS = 4_096
const NEVER = Number.POSITIVE_INFINITY
/** Fragments joined into one repair message: a few hundred kilobytes at the largest values. */
const FRAGMENTS_PER_REPAIR = 256

export class Replication implements Core<ReplicationMessage, ReplicationMessage, ReplicationEvent> {
  readonly self: NodeId
  readonly actor: string
  readonly config: ReplicationConfig
  readonly objects: ReplicaObjects
  readonly antiEntropy: AntiEntropy
  readonly rejections = new RejectionCounter<ReplicationRejection>()
  readonly counters = {
    localWrites: 0,
    batchesSealed: 0,
    batchesMerged: 0,
    deltasMerged: 0,
    repairsSent: 0,
    repairsMerged: 0,
    outboxDropped: 0,
    eventsDropped: 0,
  }
  private readonly signer: Signer
  private readonly epoch: number
  private readonly clock: HybridClock
  private readonly rateLimit: OriginRateLimit
  /** Local deltas not yet sealed, per object, joined. */
  private pending = new Map<string, AnyCrdt>()
  private flushAt: Millis = NEVER
  private seq = 0
  private outbox: Outgoing[] = []
  private events: ReplicationEvent[] = []

  constructor(init: ReplicationInit) {
    this.self = init.self
    this.epoch = init.epoch
    this.actor = actorOf(init.self, init.epoch)
    this.config = init.config
    this.signer = init.signer
    this.clock = new HybridClock(this.actor)
    this.objects = new ReplicaObjects(init.config.maxObjects, init.config.crdt)
    this.rateLimit = new OriginRateLimit(
      init.config.originRatePerSecond,
      init.config.originBurst,
      init.config.maxOrigins,
    )
    this.antiEntropy = new AntiEntropy({
      self: init.self,
      now: init.now,
      random: init.random,
      source: this.objects,
      config: init.antiEntropy,
      rbsr: init.rbsr,
    })
  }

  // ── local operations ──────────────────────────────────────────────────────────────────────────────

  /** Creates `name` (idempotent); a different type or capacity than it has is an error. */
  create(name: string, spec: ObjectSpec): void {
    this.checkName(name)
    this.objects.create(name, spec)
  }

  /**
   * Applies `op` to `name` and returns the delta (undefined when nothing changed), which leaves in the
   * next batch. The caller persists the delta before it acknowledges the write (`storage/`).
   */
  apply(now: Millis, name: string, op: StateOp): AnyCrdt | undefined {
    const state = this.objects.state(name)
    if (state === undefined) {
      throw new MeshError('NOT_FOUND', `no object is named ${name}`, { name })
    }
    const delta = applyOperation(state, op, this.actor, this.clock, now)
    if (delta === undefined) return undefined
    this.counters.localWrites++
    this.objects.touched(name)
    const held = this.pending.get(name)
    if (held === undefined) this.pending.set(name, delta.clone())
    else (held as { merge(other: AnyCrdt): boolean }).merge(delta)
    if (this.flushAt === NEVER) this.flushAt = now + this.config.batchIntervalMs
    this.emit({ type: 'ObjectChanged', at: now, name, source: 'local', from: this.self })
    return delta
  }

  /** Restores a state recovered from storage (a snapshot, or a delta of the log), as a local merge. */
  restore(name: string, spec: ObjectSpec, state: AnyCrdt): void {
    const held = this.objects.create(name, spec)
    ;(held as { merge(other: AnyCrdt): boolean }).merge(state)
    this.objects.touched(name)
  }

  // ── inputs from other modules ────────────────────────────────────────────────────────────────────

  neighborUp(now: Millis, peer: NodeId): void {
    this.antiEntropy.neighborUp(now, peer)
    this.drainAntiEntropy(now)
  }

  neighborDown(now: Millis, peer: NodeId): void {
    this.antiEntropy.neighborDown(now, peer)
    this.drainAntiEntropy(now)
  }

  /** A batch delivered by broadcast on the state channel, from `origin` (broadcast's message id). */
  onBatch(now: Millis, origin: NodeId, payload: Uint8Array): void {
    if (origin === this.self) return
    const reason = this.mergeBatch(now, origin, payload)
    if (reason !== undefined) this.rejections.add(reason)
  }

  // ── core contract ────────────────────────────────────────────────────────────────────────────────

  receive(now: Millis, from: NodeId, message: ReplicationMessage): void {
    if (message.type === 'ae') {
      this.antiEntropy.receive(now, from, message.message)
      this.drainAntiEntropy(now)
      return
    }
    if (!this.antiEntropy.isNeighbor(from)) {
      this.rejections.add('not-a-neighbor')
      return
    }
    const decoded = decodeCrdt(message.state, this.config.crdt)
    if (!decoded.ok) {
      this.rejections.add('malformed')
      return
    }
    const reason = this.mergeDelta(message.name, decoded.value)
    if (reason !== undefined) {
      this.rejections.add(reason)
      return
    }
    this.counters.repairsMerged++
    this.emit({ type: 'ObjectChanged', at: now, name: message.name, source: 'repair', from })
  }

  tick(now: Millis): void {
    if (now >= this.flushAt) this.flush(now)
    if ((this.antiEntropy.nextDeadline() ?? NEVER) <= now) this.antiEntropy.tick(now)
    this.drainAntiEntropy(now)
  }

  nextDeadline(): Millis | undefined {
    const at = Math.min(this.flushAt, this.antiEntropy.nextDeadline() ?? NEVER)
    return at === NEVER ? undefined : at
  }

  takeOutbox(): readonly Outgoing[] {
    const out = this.outbox
    this.outbox = []
    return out
  }

  takeEvents(): readonly ReplicationEvent[] {
    const out = this.events
    this.events = []
    return out
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  /** Seals the pending deltas into as few batches as the limits allow and asks broadcast to send them. */
  private flush(now: Millis): void {
    this.flushAt = NEVER
    let deltas: BatchDelta[] = []
    let bytes = 0
    const seal = (): void => {
      if (deltas.length === 0) return
      this.seq++
      const payload = sealBatch(
        {
          realm: this.config.realm,
          origin: this.self,
          epoch: this.epoch,
          seq: this.seq,
          sealedAt: Math.max(0, Math.floor(now)),
          deltas,
        },
        this.signer,
      )
      this.counters.batchesSealed++
      this.emit({ type: 'BatchReady', at: now, payload, deltas: deltas.length })
      deltas = []
      bytes = 0
    }
    for (const [name, delta] of this.pending) {
      const size = encodeCrdt(delta).length
      if (
        deltas.length >= this.config.maxDeltasPerBatch ||
        (bytes > 0 && bytes + size > this.config.maxBatchBytes)
      ) {
        seal()
      }
      deltas.push({ name, delta })
      bytes += size
    }
    seal()
    this.pending = new Map()
  }

  private mergeBatch(now: Millis, origin: NodeId, payload: Uint8Array): ReplicationRejection | undefined {
    const opened = openBatch(payload, {
      maxDeltasPerBatch: this.config.maxDeltasPerBatch,
      maxNameBytes: this.config.maxNameBytes,
      crdt: this.config.crdt,
    })
    if (!opened.ok) return 'malformed'
    const { envelope, signed, signature } = opened.value
    if (envelope.origin !== origin) return 'origin-mismatch'
    if (envelope.realm !== this.config.realm) return 'wrong-realm'
    if (envelope.sealedAt < now - this.config.maxBatchAgeMs) return 'stale'
    if (envelope.sealedAt > now + this.config.maxClockAheadMs) return 'from-the-future'
    // the cheap checks first; the signature costs more than every merge of a small batch
    if (!this.rateLimit.take(now, origin)) return 'rate-limited'
    if (!this.signer.verify(origin, signed, signature)) return 'bad-signature'
    let merged = 0
    for (const { name, delta } of envelope.deltas) {
      if (!writtenBy(origin, delta)) {
        this.rejections.add('foreign-actor')
        continue
      }
      const reason = this.mergeDelta(name, delta)
      if (reason !== undefined) {
        this.rejections.add(reason)
        continue
      }
      merged++
      this.emit({ type: 'ObjectChanged', at: now, name, source: 'batch', from: origin })
    }
    this.counters.batchesMerged++
    this.counters.deltasMerged += merged
    return undefined
  }

  /** Merges `delta` into `name`, creating the object when there is room; the reason when refused. */
  private mergeDelta(name: string, delta: AnyCrdt): ReplicationRejection | undefined {
    const spec = specOf(delta)
    if (spec === undefined) return 'type-mismatch'
    let state = this.objects.state(name)
    if (state === undefined) {
      if (!this.objects.hasRoom) return 'too-many-objects'
      state = this.objects.create(name, spec)
    }
    const reason = refusal(state, delta, this.config.crdt)
    if (reason !== undefined) return reason
    if ((state as { merge(other: AnyCrdt): boolean }).merge(delta)) this.objects.touched(name)
    return undefined
  }

  private drainAntiEntropy(now: Millis): void {
    for (const { to, message } of this.antiEntropy.takeOutbox()) this.send(to, { type: 'ae', message })
    for (const event of this.antiEntropy.takeEvents()) this.ship(now, event)
  }

  /** Sends the peer the fragments only this node holds; the peer sends ours the same way. */
  private ship(_now: Millis, event: ReconcileNeededEvent): void {
    // in slices, so a repair of a whole object never needs one huge frame
    for (let start = 0; start < event.have.length; start += FRAGMENTS_PER_REPAIR) {
      const ids = event.have.slice(start, start + FRAGMENTS_PER_REPAIR)
      const fragments = this.objects.fragmentsOf(event.name, ids)
      if (fragments === undefined) continue
      this.counters.repairsSent++
      this.send(event.peer, { type: 'items', name: event.name, state: encodeCrdt(fragments) })
    }
  }

  private send(to: NodeId, message: ReplicationMessage): void {
    if (this.outbox.length >= MAX_OUTBOX) {
      this.counters.outboxDropped++
      return
    }
    this.outbox.push({ to, message })
  }

  private emit(event: ReplicationEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.counters.eventsDropped++
      return
    }
    this.events.push(event)
  }

  private checkName(name: string): void {
    const bytes = new TextEncoder().encode(name).length
    if (bytes === 0 || bytes > this.config.maxNameBytes) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `an object name is 1 to ${this.config.maxNameBytes} bytes, got ${bytes}`,
      )
    }
  }
}
