/**
 * The overlay as a module in a MeshNode: it runs alone (as a million-node simulation runs it), follows
 * membership only when asked, and then takes a member's failure as its neighbour's.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError, Random, StandInSigner } from '../../kernel/index.ts'
import { MeshNode } from '../../node/index.ts'
import type { AnyModule } from '../index.ts'
import { membershipModule } from '../membership/index.ts'
import { OVERLAY_PROTOCOL, overlayModule } from './module.ts'

function node(self: string, modules: AnyModule[]): MeshNode {
  return new MeshNode({
    self,
    now: 0,
    random: new Random(`module-${self}`),
    signer: new StandInSigner(self),
    connectionClass: 'lan',
    addresses: [],
    modules,
  })
}

describe('overlay module', () => {
  it('joins through the seeds hint and shows its neighbours in status, views and metrics', () => {
    const module = overlayModule()
    const a = node('a', [module])
    const b = node('b', [module])
    b.hint(0, { kind: 'seeds', peers: ['a'] })
    const join = b.takeOutbox()
    assert.deepEqual(join, [{ to: 'a', protocol: OVERLAY_PROTOCOL, message: { type: 'join' } }])
    a.receiveFrame(0, 'b', OVERLAY_PROTOCOL, module.codec.encode(join[0]?.message as never))
    for (const { message } of a.takeOutbox()) b.receive(0, 'a', OVERLAY_PROTOCOL, message)
    assert.ok(a.knows('b') && b.knows('a'))
    assert.equal(a.peerCount(), 1)
    assert.deepEqual(a.status().fields.overlay, { active: 1, passive: 0, longLinks: 1, requestsInFlight: 0 })
    assert.deepEqual(a.view('neighbors'), { self: 'a', active: [{ peerId: 'b', long: true }], passive: [] })
    assert.ok(
      a
        .metrics()
        .some(
          (sample) =>
            sample.name === 'meshwork_overlay_active_neighbors' && 'value' in sample && sample.value === 1,
        ),
    )
    assert.deepEqual(
      b.takeEvents().map(({ event }) => event.type),
      ['NeighborUp'],
    )
  })

  it('refuses to follow membership on a node without it, and follows it on a node with it', () => {
    assert.throws(
      () => node('a', [overlayModule({ followMembership: true })]),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG',
    )
    const overlay = overlayModule({ followMembership: true })
    const composed = node('a', [membershipModule(), overlay])
    assert.deepEqual(composed.protocols, ['/meshwork/membership/2', OVERLAY_PROTOCOL])
    const core = composed.core(overlay)
    assert.ok(core !== undefined)
    core.receive(0, 'b', { type: 'neighbor', priority: 'high', long: false })
    const subscription = overlay.subscriptions?.find((entry) => entry.types.includes('MemberFailed'))
    subscription?.deliver(core, 1, { type: 'MemberFailed', at: 1, id: 'b', incarnation: 0 } as never)
    assert.ok(!core.isNeighbor('b'))
    assert.ok(!core.knows('b'))
  })
})
