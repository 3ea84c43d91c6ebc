import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { DEFAULT_PROFILE, type MemberRecord, type MemberState } from './types.ts'
import { addToDigest, recordDigest } from './view-digest.ts'

const STATES: readonly MemberState[] = ['alive', 'suspect', 'failed', 'left']

function record(id: string, incarnation: number, state: MemberState): MemberRecord {
  return { id, incarnation, state, addresses: [], profile: DEFAULT_PROFILE, signature: new Uint8Array(0) }
}

function digestOf(records: readonly MemberRecord[]): number {
  return records.reduce((digest, r) => addToDigest(digest, recordDigest(r)), 0)
}

const recordArbitrary = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(...STATES),
  )
  .map(([id, incarnation, state]) => record(id, incarnation, state))

describe('view digest', () => {
  it('law: a view digest is a uint32 that does not depend on the order of the records', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 30 }), fc.integer(), (records, shift) => {
        const digest = digestOf(records)
        assert.ok(Number.isInteger(digest) && digest >= 0 && digest <= 0xffff_ffff)
        const k = records.length === 0 ? 0 : Math.abs(shift) % records.length
        assert.equal(digestOf([...records.slice(k), ...records.slice(0, k)].reverse()), digest)
      }),
    )
  })

  it('law: taking a record out of a digest undoes adding it', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 30 }), recordArbitrary, (records, extra) => {
        const digest = digestOf(records)
        assert.equal(addToDigest(addToDigest(digest, recordDigest(extra)), 0, recordDigest(extra)), digest)
      }),
    )
  })

  it('changes when one member of a thousand changes its incarnation or its state', () => {
    const view = Array.from({ length: 1_000 }, (_, i) => record(`n${i}`, i % 3, 'alive'))
    const digest = digestOf(view)
    for (const changed of [
      record('n500', 3, 'alive'),
      record('n500', 2, 'suspect'),
      record('n500', 2, 'failed'),
    ]) {
      const other = view.map((r) => (r.id === 'n500' ? changed : r))
      assert.notEqual(digestOf(other), digest, `${changed.state} ${changed.incarnation}`)
    }
    assert.notEqual(digestOf(view.slice(1)), digest, 'one member fewer')
  })

  it('tells incarnations 2^32 apart', () => {
    assert.notEqual(recordDigest(record('a', 1, 'alive')), recordDigest(record('a', 2 ** 32 + 1, 'alive')))
  })
})
