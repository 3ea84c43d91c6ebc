/**
 * X-BOT's four-node exchange (`overlay.ts`), on a handful of cores joined by links of fixed one-way
 * latency (a small event queue, since the stepper's zero-latency links measure every RTT as 0): the
 * initiator i swaps its far neighbour o for a nearer passive peer c, c hands its farther neighbour d
 * over to o, and every degree stays as it was; an exchange that would lengthen d's links is refused with
 * nothing changed; a reply lost half-way leaves views that the heartbeat makes symmetric again.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Millis, type NodeId, Random } from '../../kernel/index.ts'
import { type OverlayConfig, overlayConfig } from './config.ts'
import { Overlay } from './overlay.ts'
import type { OverlayMessage } from './types.ts'

interface Pending {
  readonly at: Millis
  readonly seq: number
  readonly from: NodeId
  readonly to: NodeId
  readonly message: OverlayMessage
}

/** Cores on links of fixed one-way latency; messages arrive in time order, deadlines fire between. */
class Net {
  now: Millis = 0
  readonly cores = new Map<NodeId, Overlay>()
  private queue: Pending[] = []
  private seq = 0
  /** A message for which this returns true is lost. */
  lose: (message: Pending) => boolean = () => false

  readonly config: OverlayConfig
  private readonly latency: (a: NodeId, b: NodeId) => Millis

  constructor(config: OverlayConfig, latency: (a: NodeId, b: NodeId) => Millis) {
    this.config = config
    this.latency = latency
  }

  add(id: NodeId): Overlay {
    const core = new Overlay({ self: id, config: this.config, random: new Random('xbot').fork(id), now: 0 })
    this.cores.set(id, core)
    return core
  }

  core(id: NodeId): Overlay {
    return this.cores.get(id) as Overlay
  }

  /** Makes `a` and `b` neighbours of each other at once (both take a high-priority request). */
  link(a: NodeId, b: NodeId): void {
    this.core(a).receive(this.now, b, { type: 'neighbor', priority: 'high', long: false })
    this.core(b).receive(this.now, a, { type: 'neighbor', priority: 'high', long: false })
    this.collect(a)
    this.collect(b)
  }

  collect(id: NodeId): void {
    for (const { to, message } of this.core(id).takeOutbox()) {
      const pending = { at: this.now + this.latency(id, to), seq: this.seq++, from: id, to, message }
      if (!this.lose(pending)) this.queue.push(pending)
    }
    this.core(id).takeEvents()
  }

  run(durationMs: Millis): void {
    const end = this.now + durationMs
    for (;;) {
      let next: Pending | undefined
      for (const pending of this.queue) {
        if (next === undefined || pending.at < next.at || (pending.at === next.at && pending.seq < next.seq))
          next = pending
      }
      let tickAt = end
      let tickId: NodeId | undefined
      for (const [id, core] of this.cores) {
        const deadline = core.nextDeadline()
        if (deadline !== undefined && deadline < tickAt) {
          tickAt = deadline
          tickId = id
        }
      }
      if (next !== undefined && next.at <= tickAt && next.at <= end) {
        this.queue = this.queue.filter((pending) => pending !== next)
        this.now = next.at
        if (this.cores.has(next.to)) {
          this.core(next.to).receive(this.now, next.from, next.message)
          this.collect(next.to)
        }
      } else if (tickId !== undefined) {
        this.now = Math.max(this.now, tickAt)
        this.core(tickId).tick(this.now)
        this.collect(tickId)
      } else break
    }
    this.now = end
  }

  views(): Record<NodeId, NodeId[]> {
    const views: Record<NodeId, NodeId[]> = {}
    for (const [id, core] of this.cores) views[id] = core.activeView().sort()
    return views
  }
}

function assertSymmetric(net: Net): void {
  for (const [id, core] of net.cores) {
    for (const peer of core.activeView()) {
      assert.ok(net.core(peer).isNeighbor(id), `${id} holds ${peer}, which does not hold ${id}`)
    }
  }
}

// two slots each, no long links; shuffles out of the way, so only the optimisation moves links
const config = overlayConfig('lan', {
  activeViewSize: 2,
  activeViewMin: 1,
  longLinks: 0,
  shuffleIntervalMs: 600_000,
  shuffleFastIntervalMs: 600_000,
  optimizeMinGainMs: 0,
})

/**
 * i holds o (far) and x, c holds d and z; o and d hold only each other's partners. i has c as a passive
 * peer. `doMs` is the one-way latency between d and o.
 */
function square(doMs: number): Net {
  const ms: Record<string, number> = { 'i-o': 50, 'c-d': 30, 'c-i': 5, 'd-o': doMs, 'i-x': 2, 'c-z': 2 }
  const net = new Net(config, (a, b) => ms[[a, b].sort().join('-')] ?? 70)
  for (const id of ['i', 'o', 'c', 'd', 'x', 'z']) net.add(id)
  net.link('i', 'o')
  net.link('i', 'x')
  net.link('c', 'd')
  net.link('c', 'z')
  net.core('i').introduce(net.now, 'c')
  net.collect('i')
  return net
}

describe('X-BOT exchange', () => {
  it('swaps i–o and c–d for i–c and d–o, every degree unchanged, when every node gains', () => {
    const net = square(10)
    const degrees = [...net.cores.values()].map((core) => core.activeCount)
    net.run(3_000)
    assert.deepEqual(net.views(), {
      i: ['c', 'x'],
      o: ['d'],
      c: ['i', 'z'],
      d: ['o'],
      x: ['i'],
      z: ['c'],
    })
    assert.deepEqual(
      [...net.cores.values()].map((core) => core.activeCount),
      degrees,
    )
    assertSymmetric(net)
    assert.equal(net.core('i').stats.swaps, 1)
    assert.equal(net.core('c').stats.exchangesRelayed, 1)
    assert.equal(net.core('d').stats.exchangesSwitched, 1)
    // the new links were measured on the way: i probed c, d probed o
    assert.equal(net.core('i').roundTripMs('c'), 10)
    assert.equal(net.core('d').roundTripMs('o'), 20)
  })

  it('changes nothing when d is nearer to c than to o', () => {
    const net = square(40)
    net.run(3_000)
    assert.deepEqual(net.views(), {
      i: ['o', 'x'],
      o: ['i'],
      c: ['d', 'z'],
      d: ['c'],
      x: ['i'],
      z: ['c'],
    })
    assert.ok(net.core('i').stats.swapsFailed >= 1)
    assert.equal(net.core('i').stats.swaps, 0)
    assertSymmetric(net)
  })

  it('recovers symmetric views when the switch reply is lost after o switched', () => {
    const net = square(10)
    let lost = 0
    net.lose = ({ message }) => message.type === 'switch-reply' && lost++ === 0
    net.run(10_000)
    assert.equal(lost, 1)
    assertSymmetric(net)
    for (const [id, core] of net.cores) assert.ok(core.activeCount >= 1, `${id} lost every neighbour`)
  })
})
