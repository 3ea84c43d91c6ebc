/**
 * The set of members one node knows (itself excluded), with what probing and gossip need in O(1):
 * a dense array for uniform sampling and round-robin probing, counts per state for partition detection,
 * and FIFO reap queues (a member's reap time is its last state change plus a constant, so insertion
 * order is expiry order).
 *
 * Round-robin probing over a list that is reshuffled after each full pass bounds the time until a failed
 * member is probed by any one prober to two passes (SWIM §4.3); new members are swapped into a random
 * position, as memberlist does, so they are not all probed last. The table also keeps this node's
 * successor on the monitoring ring (`ring-successor.ts`), which the prober probes every other round.
 */
import type { Millis, NodeId, Random } from '../../kernel/index.ts'
import { encodedRecordBytes } from './codec.ts'
import { HeldRecords } from './held-records.ts'
import { RingSuccessor, ringPosition } from './ring-successor.ts'
import { newRoundTrip, type RoundTrip } from './round-trip.ts'
import type { Suspicion } from './suspicion.ts'
import { isNotGone, type MemberRecord, type MemberState } from './types.ts'
import { addToDigest, recordDigest } from './view-digest.ts'

export class Member {
  record: MemberRecord
  /**
   * State changes so far, which tells a reap entry whether it is still the member's latest. A count, not
   * the time of the change: an integer lives inside the object, where a fractional time is a heap number
   * of its own, one more object per member in tables of thousands.
   */
  stateChanges = 0
  /** Position in the dense array; maintained by the table. */
  slot: number
  /** Place on the monitoring ring (`ring-successor.ts`). */
  readonly ringPosition: number
  suspicion: Suspicion | undefined = undefined
  private estimate: RoundTrip | undefined = undefined

  constructor(record: MemberRecord, slot: number) {
    this.record = record
    this.slot = slot
    this.ringPosition = ringPosition(record.id)
  }

  /**
   * The round-trip estimate of the link to this member, made on first use: a node probes about ten
   * members a second, so in a table of thousands most members go unmeasured for minutes, and an
   * estimate object for each of them was most of the table's memory.
   */
  get roundTrip(): RoundTrip {
    this.estimate ??= newRoundTrip()
    return this.estimate
  }
}

interface ReapEntry {
  readonly member: Member
  /** Local time the member entered the state to reap. */
  readonly changedAt: Millis
  /** The member's `stateChanges` then: a later change makes this entry stale. */
  readonly change: number
}

/** A FIFO of reap candidates; bounded, counting entries it had to discard. */
class ReapQueue {
  private items: ReapEntry[] = []
  private head = 0
  private readonly capacity: number
  dropped = 0

  constructor(capacity: number) {
    this.capacity = capacity
  }

  push(entry: ReapEntry): void {
    if (this.items.length - this.head >= this.capacity) {
      this.head++
      this.dropped++
    }
    this.items.push(entry)
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }

  peek(): ReapEntry | undefined {
    return this.items[this.head]
  }

  shift(): void {
    this.head++
  }
}

export class MemberTable {
  private readonly byId = new Map<NodeId, Member>()
  private readonly dense: Member[] = []
  /**
   * Each member's record, in the dense array's order: a push-pull copies this list instead of visiting
   * every member object (thousands of cache misses per exchange, and a seed answers every join).
   */
  private readonly recordList: MemberRecord[] = []
  /** The encoded size of every record held, summed (`codec.ts` `encodedRecordBytes`), kept exact. */
  recordBytes = 0
  private probeIndex = 0
  private readonly maxMembers: number
  private readonly reapFailed: ReapQueue
  private readonly reapLeft: ReapQueue
  readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, failed: 0, left: 0 }
  private readonly held = new HeldRecords()
  /** The view digest of every member's record (`view-digest.ts`), kept up to date on every change. */
  digest = 0
  /** Records refused because the table was full. */
  refused = 0
  private readonly ring: RingSuccessor<Member>

  /** `self` is the owning node's id, which places it on the monitoring ring. */
  constructor(maxMembers: number, self: NodeId) {
    this.maxMembers = maxMembers
    this.ring = new RingSuccessor(self)
    this.reapFailed = new ReapQueue(maxMembers * 2)
    this.reapLeft = new ReapQueue(maxMembers * 2)
  }

  get size(): number {
    return this.dense.length
  }

  get(id: NodeId): Member | undefined {
    return this.byId.get(id)
  }

  /**
   * True when `record` is, as this very object, the record some member holds now (`held-records.ts`);
   * false says nothing, ask `get`.
   */
  holds(record: MemberRecord): boolean {
    return this.held.holds(record)
  }

  members(): readonly Member[] {
    return this.dense
  }

  /** Every member's record, in the same order as `members()`. */
  records(): readonly MemberRecord[] {
    return this.recordList
  }

  /** Adds a new member; `undefined` (and counted) when the table is full. */
  add(record: MemberRecord, now: Millis, random: Random): Member | undefined {
    if (this.dense.length >= this.maxMembers) {
      this.refused++
      return undefined
    }
    const member = new Member(record, this.dense.length)
    this.byId.set(record.id, member)
    this.dense.push(member)
    this.recordList.push(record)
    this.recordBytes += encodedRecordBytes(record)
    this.held.set(record)
    if (this.held.outgrown(this.dense.length)) this.held.grow(this.recordList)
    this.counts[record.state]++
    this.digest = addToDigest(this.digest, recordDigest(record))
    this.enqueueReap(member, now)
    this.ring.changed(member)
    // swap into a random position so that new members are not all probed at the end of a pass
    const other = this.dense[random.intBelow(this.dense.length)] as Member
    this.swap(member, other)
    return member
  }

  /** Replaces a member's record, keeping the state counts and reap queues right. */
  update(member: Member, record: MemberRecord, now: Millis): void {
    const previous = member.record.state
    this.digest = addToDigest(this.digest, recordDigest(record), recordDigest(member.record))
    this.recordBytes += encodedRecordBytes(record) - encodedRecordBytes(member.record)
    member.record = record
    this.recordList[member.slot] = record
    this.held.set(record)
    if (previous !== record.state) {
      this.counts[previous]--
      this.counts[record.state]++
      member.stateChanges++
      this.enqueueReap(member, now)
      this.ring.changed(member)
    }
  }

  remove(member: Member): void {
    if (this.byId.get(member.record.id) !== member) return
    this.byId.delete(member.record.id)
    this.ring.removed(member)
    this.held.clear(member.record)
    this.counts[member.record.state]--
    this.digest = addToDigest(this.digest, 0, recordDigest(member.record))
    this.recordBytes -= encodedRecordBytes(member.record)
    // Slots below `probeIndex` were probed in this pass. Filling a hole there with the (unprobed) last
    // member would skip that member until the next pass, so first move the hole to the pass boundary by
    // swapping with the last probed member, and shrink the probed prefix by one.
    if (member.slot < this.probeIndex) {
      this.probeIndex--
      this.swap(member, this.dense[this.probeIndex] as Member)
    }
    const last = this.dense.pop() as Member
    this.recordList.pop()
    if (last !== member) {
      last.slot = member.slot
      this.dense[member.slot] = last
      this.recordList[member.slot] = last.record
    }
    if (this.probeIndex > this.dense.length) this.probeIndex = this.dense.length
  }

  /** The member this node monitors: its successor on the ring of members alive or suspect. */
  ringSuccessor(): Member | undefined {
    return this.ring.current(this.dense)
  }

  /** Scans of the table for a new ring successor (one per departure of the last one). */
  get ringScans(): number {
    return this.ring.scans
  }

  /** The next alive or suspect member in round-robin order, reshuffling after each full pass. */
  nextProbeTarget(random: Random): Member | undefined {
    // the rest of this pass, then one whole reshuffled pass: with only `length + 1` steps, a scan that
    // started late in a pass ran out before reaching the live members of the next and skipped the round
    for (let scanned = 0; scanned <= 2 * this.dense.length; scanned++) {
      if (this.probeIndex >= this.dense.length) {
        this.probeIndex = 0
        this.shuffle(random)
      }
      const member = this.dense[this.probeIndex++]
      if (member !== undefined && isNotGone(member.record.state)) {
        return member
      }
    }
    return undefined
  }

  /**
   * Up to `count` distinct members chosen uniformly among those accepted by `accept`. Rejection sampling
   * with a bounded number of attempts, so the cost does not depend on the table's size.
   */
  sample(random: Random, count: number, accept: (member: Member) => boolean): Member[] {
    const out: Member[] = []
    const n = this.dense.length
    if (n === 0 || count <= 0) return out
    const attempts = count * 8 + 16
    for (let i = 0; i < attempts && out.length < count; i++) {
      const member = this.dense[random.intBelow(n)] as Member
      if (accept(member) && !out.includes(member)) out.push(member)
    }
    return out
  }

  /**
   * Removes members that have been failed or left for longer than the given times and returns them.
   */
  reap(now: Millis, failedAfterMs: Millis, leftAfterMs: Millis): Member[] {
    const reaped: Member[] = []
    this.reapFrom(this.reapFailed, 'failed', now, failedAfterMs, reaped)
    this.reapFrom(this.reapLeft, 'left', now, leftAfterMs, reaped)
    return reaped
  }

  /** The earliest time at which `reap` may remove someone, if anyone is waiting. */
  nextReapAt(failedAfterMs: Millis, leftAfterMs: Millis): Millis | undefined {
    const failed = this.reapFailed.peek()
    const left = this.reapLeft.peek()
    const a = failed === undefined ? undefined : failed.changedAt + failedAfterMs
    const b = left === undefined ? undefined : left.changedAt + leftAfterMs
    if (a === undefined) return b
    if (b === undefined) return a
    return Math.min(a, b)
  }

  get reapQueueDrops(): number {
    return this.reapFailed.dropped + this.reapLeft.dropped
  }

  private reapFrom(queue: ReapQueue, state: MemberState, now: Millis, afterMs: Millis, out: Member[]): void {
    // `changedAt + afterMs <= now`, the very sum `nextReapAt` reports: the rearranged `changedAt <= now −
    // afterMs` rounds differently for fractional times, so a tick at the reported deadline reaped nothing
    // and the deadline stayed in the past (a simulator spun on it)
    for (
      let entry = queue.peek();
      entry !== undefined && entry.changedAt + afterMs <= now;
      entry = queue.peek()
    ) {
      queue.shift()
      const { member } = entry
      // stale entry: the member changed state (or was removed) after this entry was queued
      if (member.record.state !== state || member.stateChanges !== entry.change) continue
      if (this.byId.get(member.record.id) !== member) continue
      this.remove(member)
      out.push(member)
    }
  }

  private enqueueReap(member: Member, now: Millis): void {
    const state = member.record.state
    if (state !== 'failed' && state !== 'left') return
    const entry = { member, changedAt: now, change: member.stateChanges }
    if (state === 'failed') this.reapFailed.push(entry)
    else this.reapLeft.push(entry)
  }

  private swap(a: Member, b: Member): void {
    if (a === b) return
    const slotA = a.slot
    a.slot = b.slot
    b.slot = slotA
    this.dense[a.slot] = a
    this.dense[b.slot] = b
    this.recordList[a.slot] = a.record
    this.recordList[b.slot] = b.record
  }

  private shuffle(random: Random): void {
    for (let i = this.dense.length - 1; i > 0; i--) {
      this.swap(this.dense[i] as Member, this.dense[random.intBelow(i + 1)] as Member)
    }
  }
}
