/**
 * Which record objects the member table holds, answered without a map lookup: a direct-mapped array
 * indexed by a hash of the member's id, each slot the current record of the last member hashed there.
 *
 * Gossip repeats every piece of news λ·log n times, so most updates a node receives carry a record it
 * already holds. Records are immutable, so "this very object is the one I hold" settles such an update
 * at the cost of one array read, where the map lookup and the member behind it were two or three cache
 * misses in tables of thousands (the simulator passes one record object from node to node; over a real
 * network every decoded record is a new object, the answer is always no, and the map decides as before).
 * A slot shared by two ids holds one of them; the other is simply looked up.
 */
import { hashString } from '../../kernel/index.ts'
import type { MemberRecord } from './types.ts'

const MIN_SLOTS = 64
/** 2^16 slots (256 KiB) at most; beyond that, ids share slots and more updates take the map path. */
const MAX_SLOTS = 65_536

export class HeldRecords {
  private slots: (MemberRecord | undefined)[] = new Array<MemberRecord | undefined>(MIN_SLOTS).fill(undefined)
  private mask = MIN_SLOTS - 1

  /** Whether `record` is, as this very object, the current record of its member. */
  holds(record: MemberRecord): boolean {
    return this.slots[hashString(record.id) & this.mask] === record
  }

  /** `record` became the current record of its member. */
  set(record: MemberRecord): void {
    this.slots[hashString(record.id) & this.mask] = record
  }

  /** `record`'s member was removed. */
  clear(record: MemberRecord): void {
    const slot = hashString(record.id) & this.mask
    if (this.slots[slot] === record) this.slots[slot] = undefined
  }

  /** Whether a table of `members` has outgrown the slots (about one slot per member, up to the cap). */
  outgrown(members: number): boolean {
    return members > this.slots.length && this.slots.length < MAX_SLOTS
  }

  /** Doubles the slots and refills them with the current `records`. */
  grow(records: readonly MemberRecord[]): void {
    const size = Math.min(MAX_SLOTS, this.slots.length * 2)
    this.slots = new Array<MemberRecord | undefined>(size).fill(undefined)
    this.mask = size - 1
    for (const record of records) this.set(record)
  }
}
