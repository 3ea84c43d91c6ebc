/**
 * Which record objects the member table holds, answered without a map lookup: an array indexed by a
 * hash of the member's id, holding the current records of the last members hashed there.
 *
 * Gossip repeats every piece of news λ·log n times, so most updates a node receives carry a record it
 * already holds. Records are immutable, so "this very object is the one I hold" settles such an update
 * at the cost of one array read, where the map lookup and the member behind it were two or three cache
 * misses in tables of thousands (the simulator passes one record object from node to node; over a real
 * network every decoded record is a new object, the answer is always no, and the map decides as before).
 * Ids that lose their slot to others are simply looked up.
 */
import { hashString } from '../../kernel/index.ts'
import type { MemberRecord } from './types.ts'

const MIN_SLOTS = 64
/** 2^16 slots (512 KiB) at most; beyond that, ids share slots and more updates take the map path. */
const MAX_SLOTS = 65_536

/**
 * Two-way set-associative: an id hashes to a pair of adjacent slots (one cache line) and may sit in
 * either, so two ids that hash alike are both held. At about one slot per member, direct mapping left
 * about a third of the members without a slot (every update about them took the map path); pairs leave
 * about a quarter, in the same memory. (Two slots per member would leave one in ten, but at thousands of
 * simulated nodes the memory costs more than the lookups it saves.)
 */
export class HeldRecords {
  private slots: (MemberRecord | undefined)[] = new Array<MemberRecord | undefined>(MIN_SLOTS).fill(undefined)
  /** Selects a pair: the hash masked to an even index. */
  private mask = MIN_SLOTS - 2

  /** Whether `record` is, as this very object, the current record of its member. */
  holds(record: MemberRecord): boolean {
    const pair = hashString(record.id) & this.mask
    return this.slots[pair] === record || this.slots[pair + 1] === record
  }

  /**
   * `record` became the current record of its member: it replaces that member's previous record where
   * the pair holds it, or else takes the first slot, moving the first slot's record to the second.
   */
  set(record: MemberRecord): void {
    const pair = hashString(record.id) & this.mask
    const first = this.slots[pair]
    const second = this.slots[pair + 1]
    // one slot per id, so that clearing a removed member's record leaves none of its records behind
    if (first !== undefined && first.id === record.id) this.slots[pair] = record
    else if (second !== undefined && second.id === record.id) this.slots[pair + 1] = record
    else if (first === undefined) this.slots[pair] = record
    else {
      this.slots[pair + 1] = first
      this.slots[pair] = record
    }
  }

  /** `record`'s member was removed. */
  clear(record: MemberRecord): void {
    const pair = hashString(record.id) & this.mask
    if (this.slots[pair] === record) this.slots[pair] = undefined
    else if (this.slots[pair + 1] === record) this.slots[pair + 1] = undefined
  }

  /** Whether a table of `members` has outgrown the slots (about one slot per member, up to the cap). */
  outgrown(members: number): boolean {
    return members > this.slots.length && this.slots.length < MAX_SLOTS
  }

  /** Doubles the slots and refills them with the current `records`. */
  grow(records: readonly MemberRecord[]): void {
    const size = Math.min(MAX_SLOTS, this.slots.length * 2)
    this.slots = new Array<MemberRecord | undefined>(size).fill(undefined)
    this.mask = size - 2
    for (const record of records) this.set(record)
  }
}
