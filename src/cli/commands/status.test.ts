/**
 * The status summary: one field a line, every address listed, durations in the two largest units.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeNode } from '../../daemon/testing/fake-node.ts'
import { formatDuration, formatStatus } from './status.ts'

describe('status summary', () => {
  it('lists identity, state, member counts and every address', () => {
    const status = {
      ...new FakeNode().statusValue,
      addresses: ['/ip4/10.0.0.1/tcp/1', '/ip4/10.0.0.1/udp/1/quic-v1'],
    }
    const text = formatStatus(status)
    assert.match(text, /^state +running$/m)
    assert.match(text, /^local health +0 \(healthy\)$/m)
    assert.match(text, /^addresses +\/ip4\/10\.0\.0\.1\/tcp\/1\n +\/ip4\/10\.0\.0\.1\/udp\/1\/quic-v1\n$/m)
    assert.match(formatStatus({ ...status, addresses: [], localHealth: 2 }), /^addresses +—$/m)
  })

  it('shows durations in the two largest units', () => {
    assert.equal(formatDuration(0), '0 s')
    assert.equal(formatDuration(42_500), '42 s')
    assert.equal(formatDuration(65_000), '1 min 5 s')
    assert.equal(formatDuration(2 * 3_600_000 + 5_000), '2 h')
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), '3 d 4 h')
  })
})
