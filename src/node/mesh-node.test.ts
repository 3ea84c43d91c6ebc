import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  Encoder,
  err,
  isMeshError,
  type Millis,
  type NodeId,
  ok,
  Random,
  StandInSigner,
} from '../kernel/index.ts'
import { BROADCAST_PROTOCOL, broadcastModule } from '../protocols/broadcast/index.ts'
import { MEMBERSHIP_WIRE_VERSION } from '../protocols/membership/codec.ts'
import { MEMBERSHIP_EVENTS, MEMBERSHIP_PROTOCOL, membershipModule } from '../protocols/membership/module.ts'
import type { MembershipEvent } from '../protocols/membership/types.ts'
import { type AnyModule, drive, subscribe } from '../protocols/module.ts'
import { overlayModule } from '../protocols/overlay/index.ts'
import { MeshNode } from './mesh-node.ts'

/**
 * A module that greets every member that joins: it subscribes to membership's `MemberJoined` and sends a
 * one-byte message to the new member, which shows events flowing between cores within one input.
 */
class Greeter {
  readonly greeted: NodeId[] = []
  readonly received: NodeId[] = []
  private outbox: { to: NodeId; message: number }[] = []
  private events: { type: 'Greeted'; at: Millis; peer: NodeId }[] = []
  deadline: Millis | undefined = 50
  ticks = 0

  greet(now: Millis, peer: NodeId): void {
    this.greeted.push(peer)
    this.outbox.push({ to: peer, message: 7 })
    this.events.push({ type: 'Greeted', at: now, peer })
  }

  receive(_now: Millis, from: NodeId, _message: number): void {
    this.received.push(from)
  }
  tick(): void {
    this.ticks++
    this.deadline = undefined
  }
  nextDeadline(): Millis | undefined {
    return this.deadline
  }
  takeOutbox() {
    const out = this.outbox
    this.outbox = []
    return out
  }
  takeEvents() {
    const out = this.events
    this.events = []
    return out
  }
}

const GREETER_PROTOCOL = '/meshwork/test-greeter/1'

function greeterModule(): AnyModule {
  return {
    id: GREETER_PROTOCOL,
    name: 'greeter',
    codec: {
      encode: (message: number) => Uint8Array.of(message),
      decode: (bytes: Uint8Array) => (bytes.length === 1 ? ok(bytes[0] as number) : err('invalid-value')),
      size: () => 1,
    },
    delivery: { kind: 'refuse', maxQueuedFrames: 8 },
    maxFrameBytes: 16,
    create: () => new Greeter(),
    subscriptions: [
      subscribe<Greeter, MembershipEvent, 'MemberJoined'>(
        MEMBERSHIP_EVENTS,
        ['MemberJoined'],
        (core, now, event) => core.greet(now, event.member.id),
      ),
    ],
    surface: { status: (core: Greeter) => ({ greeted: core.greeted.length }) },
  }
}

function node(self: NodeId, modules: AnyModule[] = [membershipModule(), greeterModule()]): MeshNode {
  return new MeshNode({
    self,
    now: 0,
    random: new Random(`mesh-node/${self}`),
    signer: new StandInSigner(self),
    connectionClass: 'lan',
    addresses: [`/sim/${self}`],
    modules,
  })
}

/** Delivers every outbound message of `from` to the nodes it names, as encoded frames. */
function exchange(now: Millis, nodes: Map<NodeId, MeshNode>, from: MeshNode): number {
  let delivered = 0
  for (const { to, protocol, message } of from.takeOutbox()) {
    const target = nodes.get(to)
    const codec = from.module(protocol)?.codec
    if (target === undefined || codec === undefined) continue
    target.receiveFrame(now, from.self, protocol, codec.encode(message))
    delivered++
  }
  return delivered
}

function settleAll(now: Millis, nodes: Map<NodeId, MeshNode>): void {
  for (let round = 0; round < 20; round++) {
    let delivered = 0
    for (const each of nodes.values()) delivered += exchange(now, nodes, each)
    if (delivered === 0) return
  }
}

describe('MeshNode', () => {
  it('delivers a membership join to the greeter core within the same input, and tags its outbox', () => {
    const a = node('a')
    const b = node('b')
    const nodes = new Map([
      ['a', a],
      ['b', b],
    ])
    b.hint(0, { kind: 'seeds', peers: ['a'] })
    b.tick(0)
    settleAll(0, nodes)
    const greeter = (n: MeshNode): Greeter => n.core(greeterModule() as never) as unknown as Greeter
    assert.deepEqual(greeter(a).greeted, ['b'])
    assert.deepEqual(greeter(b).greeted, ['a'])
    assert.deepEqual(greeter(a).received, ['b'], 'the greeting travelled on its own protocol')
    const events = a.takeEvents()
    const joined = events.findIndex((e) => e.event.type === 'MemberJoined')
    const greeted = events.findIndex((e) => e.event.type === 'Greeted')
    assert.ok(joined >= 0 && greeted > joined, 'the greeter reacted after the join, in one input')
    assert.equal(events[joined]?.protocol, MEMBERSHIP_PROTOCOL)
    assert.equal(events[greeted]?.protocol, GREETER_PROTOCOL)
  })

  it('collects what a local operation on a core emits at once when it runs through act()', () => {
    const broadcast = broadcastModule()
    const a = node('a', [overlayModule(), broadcast])
    a.takeEvents()
    const id = a.act(5, broadcast, (core) => core.broadcast(5, 'test', Uint8Array.of(1)))
    assert.equal(id.seq, 1)
    const delivered = a.takeEvents().filter((e) => e.event.type === 'Delivered')
    assert.equal(delivered.length, 1)
    assert.equal(delivered[0]?.protocol, BROADCAST_PROTOCOL)
    // the same operation through core() leaves its event in the core until the node's next input
    a.core(broadcast)?.broadcast(6, 'test', Uint8Array.of(2))
    assert.equal(a.takeEvents().length, 0)
    a.tick(7)
    assert.equal(a.takeEvents().filter((e) => e.event.type === 'Delivered').length, 1)
    assert.throws(() => node('b', [membershipModule()]).act(0, broadcast, () => 0), {
      code: 'INVALID_ARGUMENT',
    })
  })

  it('lets a module drive another core with its events, and refuses a drive of a module it lacks', () => {
    const broadcast = broadcastModule()
    // a greeter that asks broadcast to announce each greeting: the request is the greeter's own event
    const announcing: AnyModule = {
      ...greeterModule(),
      drives: [
        drive(broadcast, ['Greeted'], (core, now, event: { at: Millis; peer: NodeId }) => {
          core.broadcast(now, 'greetings', new TextEncoder().encode(event.peer))
        }),
      ],
    }
    const a = node('a', [membershipModule(), overlayModule(), broadcast, announcing])
    const b = node('b', [membershipModule(), overlayModule(), broadcast, announcing])
    const nodes = new Map([
      ['a', a],
      ['b', b],
    ])
    a.takeEvents()
    b.hint(0, { kind: 'seeds', peers: ['a'] })
    b.tick(0)
    settleAll(0, nodes)
    const delivered = a.takeEvents().filter((e) => e.event.type === 'Delivered')
    assert.ok(delivered.length >= 1, 'the greeting was broadcast in the input that greeted')
    assert.equal(delivered[0]?.protocol, BROADCAST_PROTOCOL)
    assert.throws(
      () => node('c', [membershipModule(), announcing]),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && error.message.includes('drives'),
    )
  })

  it('refuses two modules on one protocol, and a subscription to a module the node does not run', () => {
    assert.throws(
      () => node('a', [membershipModule(), membershipModule()]),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && /two modules/.test(error.message),
    )
    assert.throws(
      () => node('a', [greeterModule()]),
      (error) =>
        isMeshError(error) && error.code === 'INVALID_CONFIG' && error.message.includes(MEMBERSHIP_PROTOCOL),
    )
  })

  it('reports the earliest deadline of its cores and ticks only the cores that are due', () => {
    const a = node('a')
    const greeter = a.core(greeterModule() as never) as unknown as Greeter
    const membershipDeadline = a.core(membershipModule())?.nextDeadline()
    assert.ok(membershipDeadline !== undefined)
    assert.equal(a.nextDeadline(), Math.min(membershipDeadline, 50))
    a.tick(Math.min(membershipDeadline, 49))
    assert.equal(greeter.ticks, 0, 'the greeter was not due')
    a.tick(50)
    assert.equal(greeter.ticks, 1)
  })

  it('counts frames it cannot deliver by protocol and reason, and never throws on them', () => {
    const a = node('a')
    assert.equal(a.receiveFrame(0, 'x', GREETER_PROTOCOL, Uint8Array.of(1, 2)), 'invalid-value')
    assert.equal(a.receiveFrame(0, 'x', GREETER_PROTOCOL, new Uint8Array(17)), 'frame-too-large')
    assert.equal(a.receiveFrame(0, 'x', '/meshwork/nothing/1', Uint8Array.of(1)), 'unknown-protocol')
    assert.equal(a.receiveFrame(0, 'x', MEMBERSHIP_PROTOCOL, Uint8Array.of(9, 9, 9)), 'bad-version')
    a.receive(0, 'x', '/meshwork/nothing/1', {})
    assert.deepEqual(a.rejectedFrames(), {
      membership: { 'bad-version': 1 },
      greeter: { 'frame-too-large': 1, 'invalid-value': 1 },
      unknown: { 'unknown-protocol': 2 },
    })
  })

  it('merges the status fields of its modules and shows their views and events with the module name', () => {
    const a = node('a')
    const { condition, fields } = a.status()
    assert.equal(condition, undefined)
    assert.deepEqual(Object.keys(fields).sort(), ['greeted', 'incarnation', 'localHealth', 'members'])
    assert.deepEqual(a.viewNames(), ['members'])
    assert.deepEqual(a.view('members'), { self: 'a', members: [] })
    assert.equal(a.view('nothing'), undefined)
    const json = a.eventJson({ protocol: GREETER_PROTOCOL, event: { type: 'Greeted', at: 1 } })
    assert.deepEqual(json, { type: 'Greeted', at: 1, protocol: 'greeter' })
  })

  it('tells the modules it knows a peer only once some module deals with it', () => {
    const a = node('a')
    assert.equal(a.knows('b'), false)
    const b = node('b')
    const nodes = new Map([
      ['a', a],
      ['b', b],
    ])
    b.hint(0, { kind: 'seeds', peers: ['a'] })
    b.tick(0)
    settleAll(0, nodes)
    assert.equal(a.knows('b'), true)
    assert.equal(a.knows('stranger'), false)
  })

  it('keeps the frames a peer sent intact through the module codec (membership push-pull)', () => {
    const a = node('a')
    const frame = new Encoder(8)
    frame.u8(MEMBERSHIP_WIRE_VERSION)
    frame.varUint(5)
    frame.bool(true)
    frame.bool(false)
    frame.varUint(0)
    assert.equal(a.receiveFrame(0, 'b', MEMBERSHIP_PROTOCOL, frame.finish()), undefined)
    const replies = a.takeOutbox()
    assert.equal(replies.length, 1, 'a push-pull request is answered')
    assert.equal(replies[0]?.protocol, MEMBERSHIP_PROTOCOL)
  })
})
