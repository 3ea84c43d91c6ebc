/**
 * Retransmit-limited broadcast queue (memberlist `queue.go`, after SWIM's infection-style dissemination).
 *
 * Every update is sent at most `limit` times by this node (λ·log n, computed by the caller as the
 * cluster grows). Updates that have been sent fewer times go first, and among equals the newest goes
 * first, so fresh news overtakes a backlog. A newer update about the same member replaces the queued one.
 *
 * Structure: one intrusive doubly-linked list per transmit count, so enqueue, replace, take and drop are
 * O(1) per update regardless of backlog size (memberlist re-sorts a btree).
 */
import type { NodeId } from '../../kernel/index.ts'
import type { MemberUpdate } from './types.ts'

interface Entry {
  readonly id: NodeId
  readonly update: MemberUpdate
  readonly bytes: number
  transmits: number
  newer: Entry | undefined
  older: Entry | undefined
}

interface Bucket {
  newest: Entry | undefined
  oldest: Entry | undefined
  size: number
  /**
   * No entry in the bucket is smaller than this (a lower bound: it is lowered on every push and reset
   * only when the bucket empties). When the budget left is below it, none of the bucket's entries can
   * fit, so `take` counts them all as skipped without visiting them: in a backlog of like-sized records
   * the search otherwise walked `MAX_SKIPPED_PER_TAKE` entries after every full message, each a cache
   * miss in a queue of thousands.
   */
  minBytes: number
}

/** Entries that do not fit a budget are skipped; after this many skips the search stops. */
const MAX_SKIPPED_PER_TAKE = 32

export class BroadcastQueue {
  private readonly byId = new Map<NodeId, Entry>()
  private readonly buckets: Bucket[] = []
  private readonly maxEntries: number
  /** The entries one `take` picks, reused so that taking allocates nothing of its own. */
  private readonly chosen: Entry[] = []
  /** Updates discarded because the queue was full. */
  dropped = 0

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.byId.size
  }

  /** Queues `update` (replacing any queued update about the same member). */
  enqueue(id: NodeId, update: MemberUpdate, bytes: number): void {
    const existing = this.byId.get(id)
    if (existing !== undefined) this.remove(existing)
    else if (this.byId.size >= this.maxEntries) this.dropMostSent()
    const entry: Entry = { id, update, bytes, transmits: 0, newer: undefined, older: undefined }
    this.byId.set(id, entry)
    this.pushNewest(entry)
  }

  /**
   * Appends to `out` the updates that fit in `budgetBytes` (each costs its encoded size), counts one
   * transmission for each, and retires those that reached `limit`. Returns the bytes used.
   */
  take(budgetBytes: number, limit: number, out: MemberUpdate[]): number {
    let used = 0
    let skipped = 0
    const chosen = this.chosen
    for (let t = 0; t < this.buckets.length && skipped < MAX_SKIPPED_PER_TAKE; t++) {
      const bucket = this.buckets[t] as Bucket
      if (chosen.length > 0 && used + bucket.minBytes > budgetBytes) {
        // every entry of this bucket would be skipped, one by one, exactly as below
        skipped += bucket.size
        continue
      }
      for (let entry = bucket.newest; entry !== undefined; entry = entry.older) {
        // an update bigger than the whole budget goes alone, or it would never leave the queue
        if (entry.bytes > budgetBytes && chosen.length === 0 && budgetBytes > 0) {
          used = entry.bytes
          chosen.push(entry)
          break
        }
        if (used + entry.bytes > budgetBytes) {
          if (++skipped >= MAX_SKIPPED_PER_TAKE) break
          continue
        }
        used += entry.bytes
        chosen.push(entry)
      }
    }
    for (const entry of chosen) out.push(entry.update)
    // Requeue oldest first: `chosen` runs newest first, and pushing it in that order onto the next bucket
    // reversed it, so after one send a burst went out oldest first and the bound dropped the newest.
    for (let i = chosen.length - 1; i >= 0; i--) {
      const entry = chosen[i] as Entry
      this.unlink(entry)
      entry.transmits++
      if (entry.transmits < limit) this.pushNewest(entry)
      else this.byId.delete(entry.id)
    }
    chosen.length = 0
    return used
  }

  /** The queued update about `id`, if any (for tests and introspection). */
  peek(id: NodeId): MemberUpdate | undefined {
    return this.byId.get(id)?.update
  }

  private bucket(transmits: number): Bucket {
    while (this.buckets.length <= transmits)
      this.buckets.push({ newest: undefined, oldest: undefined, size: 0, minBytes: Number.POSITIVE_INFINITY })
    return this.buckets[transmits] as Bucket
  }

  private pushNewest(entry: Entry): void {
    const bucket = this.bucket(entry.transmits)
    entry.older = bucket.newest
    entry.newer = undefined
    if (bucket.newest !== undefined) bucket.newest.newer = entry
    else bucket.oldest = entry
    bucket.newest = entry
    bucket.size++
    if (entry.bytes < bucket.minBytes) bucket.minBytes = entry.bytes
  }

  private remove(entry: Entry): void {
    this.unlink(entry)
    this.byId.delete(entry.id)
  }

  /** Takes `entry` out of its bucket's list (it stays in `byId`). */
  private unlink(entry: Entry): void {
    const bucket = this.bucket(entry.transmits)
    if (entry.newer !== undefined) entry.newer.older = entry.older
    else bucket.newest = entry.older
    if (entry.older !== undefined) entry.older.newer = entry.newer
    else bucket.oldest = entry.newer
    entry.newer = undefined
    entry.older = undefined
    if (--bucket.size === 0) bucket.minBytes = Number.POSITIVE_INFINITY
  }

  private dropMostSent(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      const victim = this.buckets[t]?.oldest
      if (victim !== undefined) {
        this.remove(victim)
        this.dropped++
        return
      }
    }
  }
}
