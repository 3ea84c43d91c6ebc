import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hashString } from '../../kernel/index.ts'
import { HeldRecords } from './held-records.ts'
import { DEFAULT_PROFILE, type MemberRecord } from './types.ts'

function record(id: string, incarnation = 0): MemberRecord {
  return {
    id,
    incarnation,
    state: 'alive',
    addresses: [],
    profile: DEFAULT_PROFILE,
    signature: new Uint8Array(8),
  }
}

/** Ids whose hashes select the same pair of a fresh (64-slot) table. */
function sharingOnePair(count: number): string[] {
  const byPair = new Map<number, string[]>()
  for (let i = 0; ; i++) {
    const id = `n${i}`
    const pair = hashString(id) & 62
    const ids = byPair.get(pair) ?? []
    ids.push(id)
    byPair.set(pair, ids)
    if (ids.length === count) return ids
  }
}

describe('HeldRecords', () => {
  it('holds two members whose ids hash alike, and forgets the older of three', () => {
    const [a, b, c] = sharingOnePair(3).map((id) => record(id)) as [MemberRecord, MemberRecord, MemberRecord]
    const held = new HeldRecords()
    held.set(a)
    held.set(b)
    assert.ok(held.holds(a) && held.holds(b))
    held.set(c)
    assert.ok(held.holds(c) && held.holds(b))
    assert.equal(held.holds(a), false, 'a lost its place; the member table answers for it')
  })

  it('a member’s new record replaces its old one, so removing the member leaves none of its records held', () => {
    const [x, y] = sharingOnePair(2)
    const old = record(x as string, 1)
    const newer = record(x as string, 2)
    const held = new HeldRecords()
    const other = record(y as string)
    held.set(old)
    held.set(other)
    held.clear(other) // the first slot of the pair is free again, the old record sits in the second
    held.set(newer)
    assert.equal(held.holds(old), false)
    assert.ok(held.holds(newer))
    held.clear(newer)
    assert.equal(held.holds(newer), false)
    assert.equal(held.holds(old), false)
  })

  it('answers only for the very record object it was given', () => {
    const held = new HeldRecords()
    const a = record('a')
    held.set(a)
    assert.equal(held.holds({ ...a }), false)
  })
})
