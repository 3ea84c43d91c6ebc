import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_MAX_FRAME_BYTES, isMeshError, Random, StandInSigner } from '../../kernel/index.ts'
import { decodeMessage, encodeMessage, recordLimitProblem } from './codec.ts'
import { membershipConfig } from './config.ts'
import { Membership } from './membership.ts'
import { DEFAULT_PROFILE, type MemberProfile, type MemberRecord } from './types.ts'

const record = (profile: Partial<MemberProfile>, addresses: string[] = []): MemberRecord => ({
  id: 'a',
  incarnation: 0,
  state: 'alive',
  addresses,
  profile: { ...DEFAULT_PROFILE, ...profile },
  signature: new Uint8Array(64),
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
          signer: new StandInSigner('a'),
          now: 0,
        }),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && /label/.test(error.message),
    )
  })
})

describe('push-pull size', () => {
  it('cuts a push-pull to what fits one frame, so a large table never produces an undecodable message', () => {
    const core = new Membership({
      self: 'a',
      profile: DEFAULT_PROFILE,
      config: membershipConfig('lan'),
      random: new Random(3),
      signer: new StandInSigner('a'),
      now: 0,
    })
    // 12,000 members with peer-id-sized ids and realistic addresses: about 2 MB of records in all
    const peerId = (i: number): string => `12D3KooW${String(i).padStart(44, 'x')}`
    const members: MemberRecord[] = Array.from({ length: 12_000 }, (_, i) => ({
      ...record({ labels: ['gpu', 'linux'], region: 'eu-west-1' }, [
        `/ip4/10.0.${i % 250}.${i % 200}/tcp/4001`,
      ]),
      id: peerId(i),
    }))
    core.restore(0, members)
    core.receive(1, peerId(1), { type: 'push-pull', join: false, reply: false, records: [] })
    const reply = core.takeOutbox().find((out) => out.message.type === 'push-pull')
    assert.ok(reply !== undefined && reply.message.type === 'push-pull')
    const bytes = encodeMessage(reply.message)
    assert.ok(bytes.length <= DEFAULT_MAX_FRAME_BYTES, `${bytes.length} bytes`)
    assert.ok(reply.message.records.length > 5_000, `only ${reply.message.records.length} records`)
    assert.ok(decodeMessage(bytes).ok, 'the receiver accepts it')
  })
})
