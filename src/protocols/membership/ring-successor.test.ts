import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { type Member, MemberTable } from './member-table.ts'
import { ringPosition } from './ring-successor.ts'
import { DEFAULT_PROFILE, type MemberRecord, type MemberState } from './types.ts'

function record(id: string, state: MemberState = 'alive'): MemberRecord {
  return { id, incarnation: 0, state, addresses: [], profile: DEFAULT_PROFILE, signature: new Uint8Array(0) }
}

/** The successor by definition: the closest member clockwise from `self` among those alive or suspect. */
function bruteSuccessor(self: string, members: readonly Member[]): Member | undefined {
  const distance = (m: Member) => (m.ringPosition - ringPosition(self)) & 0x3fffffff
  const candidates = members.filter((m) => m.record.state === 'alive' || m.record.state === 'suspect')
  candidates.sort((a, b) => distance(a) - distance(b) || (a.record.id < b.record.id ? -1 : 1))
  return candidates[0]
}

const operation = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 40 }) }),
  fc.record({
    kind: fc.constant('state' as const),
    id: fc.integer({ min: 0, max: 40 }),
    state: fc.constantFrom<MemberState>('alive', 'suspect', 'failed', 'left'),
  }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 40 }) }),
)

describe('the ring successor', () => {
  it('is, after any sequence of joins, state changes and removals, the closest live member clockwise', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const table = new MemberTable(1_000, 'self')
        const random = new Random(1)
        for (const op of operations) {
          const id = `m${op.id}`
          const member = table.get(id)
          if (op.kind === 'add') {
            if (member === undefined) table.add(record(id), 0, random)
          } else if (op.kind === 'state') {
            if (member !== undefined) table.update(member, record(id, op.state), 0)
          } else if (member !== undefined) table.remove(member)
          assert.equal(table.ringSuccessor(), bruteSuccessor('self', table.members()))
        }
      }),
    )
  })

  it('gives every member of agreeing views exactly one monitor', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `node-${i}`)
    const monitors = new Map<string, number>()
    for (const self of ids) {
      const table = new MemberTable(1_000, self)
      const random = new Random(self)
      for (const id of ids) if (id !== self) table.add(record(id), 0, random)
      const successor = table.ringSuccessor()?.record.id
      assert.ok(successor !== undefined)
      monitors.set(successor, (monitors.get(successor) ?? 0) + 1)
    }
    assert.equal(monitors.size, ids.length)
    assert.ok([...monitors.values()].every((count) => count === 1))
  })

  it('scans the table only when its successor departs, not on every join', () => {
    const table = new MemberTable(10_000, 'self')
    const random = new Random(2)
    for (let i = 0; i < 5_000; i++) {
      table.add(record(`m${i}`), 0, random)
      table.ringSuccessor()
    }
    assert.equal(table.ringScans, 0)
    const first = table.ringSuccessor() as Member
    table.update(first, record(first.record.id, 'failed'), 0)
    const second = table.ringSuccessor()
    assert.notEqual(second, first)
    assert.equal(second, bruteSuccessor('self', table.members()))
    assert.equal(table.ringScans, 1)
  })
})
