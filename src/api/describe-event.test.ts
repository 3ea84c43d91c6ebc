/**
 * One readable line per membership event, the same in the daemon's log and in `meshwork start`'s live
 * log: the subject first, shortened peer ids unless the caller knows names.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeEvent, shortPeerId } from './describe-event.ts'
import type { MemberProfile, NodeEvent } from './types.ts'

const PROFILE: MemberProfile = {
  labels: [],
  capacity: 1,
  memoryMb: 0,
  connectionClass: 'lan',
  region: '',
  hidden: false,
}

const A = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const B = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

describe('membership event descriptions', () => {
  it('says what happened to whom, in one line per event type', () => {
    const cases: [NodeEvent, string][] = [
      [
        {
          type: 'MemberJoined',
          protocol: 'membership',
          at: 1,
          member: { id: A, incarnation: 0, state: 'alive', addresses: [], profile: PROFILE },
        },
        '12D3KooW…kSCVe2Xo joined',
      ],
      [
        {
          type: 'MemberUpdated',
          protocol: 'membership',
          at: 1,
          member: { id: A, incarnation: 4, state: 'alive', addresses: [], profile: PROFILE },
        },
        '12D3KooW…kSCVe2Xo changed its record (incarnation 4)',
      ],
      [
        { type: 'MemberSuspected', protocol: 'membership', at: 2, id: A, incarnation: 1, from: B },
        '12D3KooW…kSCVe2Xo is suspected (accused by 12D3KooW…swrRJsNK)',
      ],
      [
        { type: 'MemberAlive', protocol: 'membership', at: 3, id: A, incarnation: 2 },
        '12D3KooW…kSCVe2Xo is alive again (incarnation 2)',
      ],
      [
        { type: 'MemberFailed', protocol: 'membership', at: 4, id: A, incarnation: 2 },
        '12D3KooW…kSCVe2Xo FAILED',
      ],
      [
        { type: 'MemberLeft', protocol: 'membership', at: 5, id: A, incarnation: 3 },
        '12D3KooW…kSCVe2Xo left',
      ],
      [
        { type: 'PartitionDetected', protocol: 'membership', at: 6, reachable: 2, known: 5 },
        'PARTITION: reaches 2 of 5 members',
      ],
      [
        { type: 'PartitionHealed', protocol: 'membership', at: 7, reachable: 5, known: 5 },
        'partition healed: reaches 5 of 5 members',
      ],
    ]
    for (const [event, line] of cases) assert.equal(describeEvent(event), line)
  })

  it('uses the names the caller knows', () => {
    const names = new Map([
      [A, 'n0'],
      [B, 'n1'],
    ])
    const nameOf = (id: string) => names.get(id) ?? shortPeerId(id)
    assert.equal(
      describeEvent(
        { type: 'MemberSuspected', protocol: 'membership', at: 2, id: A, incarnation: 1, from: B },
        nameOf,
      ),
      'n0 is suspected (accused by n1)',
    )
  })

  it('names the module and type of an event it has no words for yet', () => {
    assert.equal(describeEvent({ type: 'TaskStarted', protocol: 'tasks' }), 'tasks: TaskStarted')
  })

  it('shortens peer ids to the key-type prefix and a distinguishing suffix', () => {
    assert.equal(shortPeerId(A), '12D3KooW…kSCVe2Xo')
    assert.equal(shortPeerId('node-1'), 'node-1')
  })
})
