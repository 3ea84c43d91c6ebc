/**
 * Dissemination: the retransmit-limited queue (`broadcast-queue.ts`) and when its updates leave.
 *
 * memberlist piggybacks updates on probes and flushes them on a fixed gossip tick (200 ms on LAN). Here
 * an update is also pushed as soon as it is learned — one link latency per hop instead of one tick, which
 * is what the reference's flood measurements show a 1-second target needs — with bursts coalesced so a
 * node that learns 50 updates at once sends one round of messages, not 50.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'
import { BroadcastQueue } from './broadcast-queue.ts'
import { encodedUpdateBytes } from './codec.ts'
import type { MembershipConfig } from './config.ts'
import type { Member, MemberTable } from './member-table.ts'
import { isNotGone, type MembershipMessage, type MemberUpdate } from './types.ts'

/** Bursts of new updates are pushed at most this often (as a fraction of the gossip interval). */
const PUSH_SPACING_FRACTION = 0.1
/** Gossip rounds every update gets at least, whatever the cluster size (see `retransmitLimit`). */
const MIN_TRANSMIT_ROUNDS = 3

/** Members gossip goes to: those not known to be gone. */
function isReachable(member: Member): boolean {
  return isNotGone(member.record.state)
}

export class Gossip {
  private readonly config: MembershipConfig
  private readonly table: MemberTable
  private readonly random: Random
  private readonly send: (to: NodeId, message: MembershipMessage) => void
  private readonly queue: BroadcastQueue
  /** When the queued updates go out next; undefined while the queue is empty. */
  nextFlushAt: Millis | undefined
  private lastFlushAt: Millis = Number.NEGATIVE_INFINITY

  constructor(
    config: MembershipConfig,
    table: MemberTable,
    random: Random,
    send: (to: NodeId, message: MembershipMessage) => void,
  ) {
    this.config = config
    this.table = table
    this.random = random
    this.send = send
    this.queue = new BroadcastQueue(config.maxQueuedUpdates)
  }

  /** Updates discarded at the queue's bound. */
  get dropped(): number {
    return this.queue.dropped
  }

  get queued(): number {
    return this.queue.size
  }

  /** Queues news about `id` (replacing older news about it) and schedules a prompt push. */
  enqueue(id: NodeId, update: MemberUpdate, now: Millis): void {
    this.queue.enqueue(id, update, encodedUpdateBytes(update))
    const pushAt = Math.max(now, this.lastFlushAt + this.config.gossipIntervalMs * PUSH_SPACING_FRACTION)
    if (this.nextFlushAt === undefined || pushAt < this.nextFlushAt) this.nextFlushAt = pushAt
  }

  /** Sends queued updates to `gossipFanout` random alive or suspect members. */
  flush(now: Millis): void {
    this.lastFlushAt = now
    this.nextFlushAt = undefined
    if (this.queue.size === 0) return
    const targets = this.table.sample(this.random, this.config.gossipFanout, isReachable)
    for (const target of targets) {
      const updates = this.piggyback()
      if (updates.length === 0) break
      this.send(target.record.id, { type: 'gossip', updates })
    }
    if (this.queue.size > 0) this.nextFlushAt = now + this.config.gossipIntervalMs
  }

  /** Updates for one outgoing message (a ping, an ack or a gossip), within the byte budget. */
  piggyback(): MemberUpdate[] {
    const updates: MemberUpdate[] = []
    if (this.queue.size > 0) this.queue.take(this.config.maxGossipBytes, this.retransmitLimit(), updates)
    return updates
  }

  /**
   * λ · ceil(log10(n + 1)) transmissions per update per node (memberlist `retransmitLimit`), but at least
   * three gossip rounds' worth: in a cluster of eight the formula gives 4, and 4 random sends from each of
   * 7 peers miss a given member about 1 % of the time per update (a join then waits for push-pull).
   */
  private retransmitLimit(): number {
    const formula = this.config.retransmitMultiplier * Math.ceil(Math.log10(this.table.size + 2))
    return Math.max(formula, MIN_TRANSMIT_ROUNDS * this.config.gossipFanout)
  }
}
