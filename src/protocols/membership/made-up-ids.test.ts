/**
 * Remote input cannot grow state: a peer that names ids it invented makes the core keep nothing for them
 * and send nothing to them.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { Random, StandInSigner } from '../../kernel/index.ts'
import { membershipConfig } from './config.ts'
import { Membership } from './membership.ts'
import { DEFAULT_PROFILE } from './types.ts'

function core(): Membership {
  return new Membership({
    self: 'victim',
    profile: DEFAULT_PROFILE,
    config: membershipConfig('lan'),
    random: new Random('made-up-ids'),
    signer: new StandInSigner('victim'),
    now: 0,
  })
}

it('answers 100,000 ping-req frames for invented targets with nacks, probing nobody and tracking nothing', () => {
  const victim = core()
  victim.receive(0, 'attacker', { type: 'push-pull', join: true, reply: false, records: [] })
  victim.takeOutbox()
  const outbox = []
  for (let i = 0; i < 100_000; i++) {
    victim.receive(i / 100, 'attacker', { type: 'ping-req', seq: i, target: `invented-${i}`, updates: [] })
    // an engine drains the outbox after every input
    outbox.push(...victim.takeOutbox())
  }
  assert.equal(outbox.length, 100_000)
  assert.ok(
    outbox.every(({ to, message }) => to === 'attacker' && message.type === 'nack'),
    'every request was answered to the asker, and no invented id was pinged',
  )
  assert.equal(victim.stats.unknownTargets, 100_000)
  assert.equal(victim.stats.requestsDropped, 0, 'the request table never filled')
  assert.equal(victim.members().length, 0)
})
