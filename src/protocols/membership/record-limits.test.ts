import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError, Random } from '../../kernel/index.ts'
import { recordLimitProblem } from './codec.ts'
import { membershipConfig } from './config.ts'
import { Membership } from './membership.ts'
import { DEFAULT_PROFILE, type MemberProfile, type MemberRecord } from './types.ts'

const record = (profile: Partial<MemberProfile>, addresses: string[] = []): MemberRecord => ({
  id: 'a',
  incarnation: 0,
  state: 'alive',
  addresses,
  profile: { ...DEFAULT_PROFILE, ...profile },
})

describe('record limits', () => {
  it('accepts a record that fits the wire limits', () => {
    assert.equal(
      recordLimitProblem(record({ labels: ['gpu', 'linux'], region: 'eu-west' }, ['/ip4/127.0.0.1'])),
      undefined,
    )
  })

  it('names the problem of a record that peers would refuse', () => {
    assert.match(recordLimitProblem(record({ labels: ['x'.repeat(65)] })) ?? '', /label/)
    assert.match(
      recordLimitProblem(record({ labels: Array.from({ length: 33 }, (_, i) => `l${i}`) })) ?? '',
      /labels/,
    )
    assert.match(recordLimitProblem(record({ region: 'r'.repeat(65) })) ?? '', /region/)
    assert.match(recordLimitProblem(record({ capacity: -1 })) ?? '', /capacity/)
    assert.match(
      recordLimitProblem(
        record(
          {},
          Array.from({ length: 17 }, () => '/a'),
        ),
      ) ?? '',
      /addresses/,
    )
  })

  it('refuses to start a node whose own profile would be rejected by its peers', () => {
    assert.throws(
      () =>
        new Membership({
          self: 'a',
          profile: { ...DEFAULT_PROFILE, labels: ['x'.repeat(100)] },
          config: membershipConfig('lan'),
          random: new Random(1),
          now: 0,
        }),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && /label/.test(error.message),
    )
  })
})
