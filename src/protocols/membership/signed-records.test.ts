/**
 * Signed member records: a member speaks only for itself. An alive record that is not signed by the
 * member it names is dropped and counted, whether it invents a member, claims a higher incarnation for a
 * real one, or changes a real one's addresses; records that are not news are dropped before any check.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type NodeId, Random, type Signer, StandInSigner } from '../../kernel/index.ts'
import { signedRecordBytes } from './codec.ts'
import { membershipConfig } from './config.ts'
import { Membership } from './membership.ts'
import { DEFAULT_PROFILE, type MemberRecord } from './types.ts'

/** A signer that counts its checks, so a test can see which records cost one. */
class CountingSigner implements Signer {
  private readonly inner: StandInSigner
  checks = 0
  constructor(self: NodeId) {
    this.inner = new StandInSigner(self)
  }
  sign(bytes: Uint8Array): Uint8Array {
    return this.inner.sign(bytes)
  }
  verify(signer: NodeId, bytes: Uint8Array, signature: Uint8Array): boolean {
    this.checks++
    return this.inner.verify(signer, bytes, signature)
  }
}

function core(signer: Signer = new StandInSigner('victim')): Membership {
  return new Membership({
    self: 'victim',
    profile: DEFAULT_PROFILE,
    config: membershipConfig('lan'),
    random: new Random('signed-records'),
    signer,
    now: 0,
  })
}

function record(id: NodeId, incarnation: number, addresses: string[], signedBy: NodeId = id): MemberRecord {
  const unsigned = { id, incarnation, state: 'alive' as const, addresses, profile: DEFAULT_PROFILE }
  return { ...unsigned, signature: new StandInSigner(signedBy).sign(signedRecordBytes(unsigned)) }
}

const gossip = (records: MemberRecord[]) =>
  ({ type: 'gossip', updates: records.map((r) => ({ kind: 'alive' as const, record: r })) }) as const

describe('signed member records', () => {
  it("takes a member's own record and refuses one that another peer signed for it", () => {
    const victim = core()
    victim.receive(0, 'attacker', gossip([record('real', 0, ['/ip4/10.0.0.1/tcp/1'])]))
    assert.equal(victim.member('real')?.state, 'alive')
    victim.receive(1, 'attacker', gossip([record('forged', 0, ['/ip4/6.6.6.6/tcp/1'], 'attacker')]))
    assert.equal(victim.member('forged'), undefined, 'an invented member signed by someone else is not taken')
    victim.receive(2, 'attacker', gossip([record('real', 5, ['/ip4/6.6.6.6/tcp/1'], 'attacker')]))
    assert.deepEqual(
      victim.member('real')?.addresses,
      ['/ip4/10.0.0.1/tcp/1'],
      'addresses are not redirected',
    )
    assert.equal(victim.member('real')?.incarnation, 0)
    assert.equal(victim.stats.recordsRejected, 2)
  })

  it('refuses a record altered after signing, and one carried in a push-pull', () => {
    const victim = core()
    const genuine = record('real', 3, ['/ip4/10.0.0.1/tcp/1'])
    const altered = { ...genuine, addresses: ['/ip4/6.6.6.6/tcp/1'] }
    victim.receive(0, 'attacker', { type: 'push-pull', join: false, reply: true, records: [altered] })
    assert.equal(victim.member('real'), undefined)
    assert.equal(victim.stats.recordsRejected, 1)
  })

  it('checks a signature once per member and incarnation, not at every copy of the same news', () => {
    const signer = new CountingSigner('victim')
    const victim = core(signer)
    const news = record('real', 0, [])
    // as on the wire, every copy is its own decoded object
    for (let i = 0; i < 100; i++) victim.receive(i, `relay-${i % 5}`, gossip([{ ...news }]))
    assert.equal(signer.checks, 1)
    victim.receive(200, 'relay-0', gossip([record('real', 1, [])]))
    assert.equal(signer.checks, 2, 'a newer incarnation is checked again')
  })

  it('signs its own record again whenever it changes, so peers accept the refutation', () => {
    const victim = core()
    victim.receive(0, 'a', gossip([record('a', 0, [])]))
    victim.receive(1, 'a', {
      type: 'gossip',
      updates: [{ kind: 'suspect', id: 'victim', incarnation: 0, from: 'a' }],
    })
    const self = victim.selfRecord()
    assert.ok(self.incarnation > 0, 'it refuted')
    assert.ok(new StandInSigner('observer').verify('victim', signedRecordBytes(self), self.signature))
  })
})
