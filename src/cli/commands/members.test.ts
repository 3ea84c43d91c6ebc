/**
 * The members table: self first, then by state; columns aligned; missing values shown as a dash.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeNode } from '../../daemon/testing/fake-node.ts'
import { formatMembersTable } from './members.ts'

describe('members table', () => {
  it('puts self first, then alive, suspect, failed and left members, and counts them', () => {
    const view = new FakeNode().membersValue
    const [self, other] = view.members
    assert.ok(self !== undefined && other !== undefined)
    const members = [
      { ...other, peerId: `${other.peerId.slice(0, -1)}F`, state: 'failed' as const, rttMs: 3.14 },
      { ...other, state: 'suspect' as const, profile: { ...other.profile, hidden: true } },
      self,
    ]
    const lines = formatMembersTable({ self: view.self, members }).split('\n')
    assert.match(lines[1] ?? '', /\(self\) +alive /)
    assert.match(lines[2] ?? '', / suspect +1 +\(hidden\) /)
    assert.match(lines[3] ?? '', / failed .* 3\.1 ms$/)
    assert.equal(lines.at(-2), '3 members: 1 alive, 1 suspect, 1 failed')
    const columns = (line: string | undefined) => (line ?? '').indexOf('STATE')
    assert.equal(lines[1]?.indexOf('alive'), columns(lines[0]))
  })

  it('says so when there are no members', () => {
    assert.match(formatMembersTable({ self: 'x', members: [] }), /^0 members$/m)
  })
})
