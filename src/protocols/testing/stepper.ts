/**
 * A hand-stepped network of cores for unit tests (yjs `TestConnector` in spirit): nothing moves until
 * the test says so. Messages wait in a list the test can inspect, deliver, drop or reorder; time advances
 * only through `advance`, which fires every deadline on the way in order.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'
import type { Core } from '../core.ts'

/**
 * A core ticked this many times at one instant without moving its deadline past it is stuck: its
 * `nextDeadline()` names a time at which `tick` does nothing. Failing loudly beats spinning until the
 * loop guard and then silently jumping over every other deadline in the window.
 */
const MAX_TICKS_AT_ONE_INSTANT = 1_000

export interface InFlight<M> {
  readonly from: NodeId
  readonly to: NodeId
  readonly message: M
}

export class Stepper<M, E, C extends Core<M, M, E> = Core<M, M, E>> {
  now: Millis
  readonly cores = new Map<NodeId, C>()
  readonly events = new Map<NodeId, E[]>()
  inFlight: InFlight<M>[] = []
  /** Nodes whose traffic is dropped in both directions (a crash or an isolation). */
  readonly down = new Set<NodeId>()
  /** Link filter: a message from `from` to `to` is dropped when this returns false (partitions). */
  allow: (from: NodeId, to: NodeId) => boolean = () => true

  constructor(now: Millis = 0) {
    this.now = now
  }

  add(id: NodeId, core: C): C {
    this.cores.set(id, core)
    this.events.set(id, [])
    this.collect(id)
    return core
  }

  core(id: NodeId): C {
    const core = this.cores.get(id)
    if (core === undefined) throw new Error(`no core ${id}`)
    return core
  }

  /** Gathers outboxes and events of every core into `inFlight` and `events`. */
  collectAll(): void {
    for (const id of this.cores.keys()) this.collect(id)
  }

  private collect(id: NodeId): void {
    const core = this.core(id)
    for (const { to, message } of core.takeOutbox()) {
      if (!this.down.has(id) && !this.down.has(to) && this.allow(id, to))
        this.inFlight.push({ from: id, to, message })
    }
    this.events.get(id)?.push(...core.takeEvents())
  }

  /** Delivers messages in flight (those matching `filter`, default all) until none are left. */
  deliverAll(filter: (message: InFlight<M>) => boolean = () => true, maxRounds = 1_000): number {
    let delivered = 0
    for (let round = 0; round < maxRounds; round++) {
      const batch = this.inFlight.filter(filter)
      if (batch.length === 0) break
      this.inFlight = this.inFlight.filter((message) => !filter(message))
      for (const { from, to, message } of batch) {
        if (this.down.has(to) || !this.cores.has(to)) continue
        this.core(to).receive(this.now, from, message)
        delivered++
        this.collect(to)
      }
    }
    return delivered
  }

  /** Drops messages in flight that match `filter`; returns how many. */
  drop(filter: (message: InFlight<M>) => boolean): number {
    const before = this.inFlight.length
    this.inFlight = this.inFlight.filter((message) => !filter(message))
    return before - this.inFlight.length
  }

  /**
   * Advances time by `durationMs`, firing each core's deadlines in time order and, when `deliver` is
   * true, delivering all messages after each firing (zero-latency links).
   */
  advance(durationMs: Millis, deliver = true): void {
    const end = this.now + durationMs
    let stuckId: NodeId | undefined
    let stuckTicks = 0
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (deliver) this.deliverAll()
      let nextTime = end
      let nextId: NodeId | undefined
      for (const [id, core] of this.cores) {
        if (this.down.has(id)) continue
        const deadline = core.nextDeadline()
        if (deadline !== undefined && deadline < nextTime) {
          nextTime = deadline
          nextId = id
        }
      }
      if (nextId === undefined) break
      if (nextId === stuckId && nextTime <= this.now) {
        if (++stuckTicks >= MAX_TICKS_AT_ONE_INSTANT)
          throw new Error(`core ${nextId} keeps its deadline ${nextTime} at or before now ${this.now}`)
      } else {
        stuckId = nextId
        stuckTicks = 0
      }
      this.now = Math.max(this.now, nextTime)
      this.core(nextId).tick(this.now)
      this.collect(nextId)
    }
    this.now = end
    if (deliver) this.deliverAll()
  }

  /** Events of `id` so far, removed from the buffer. */
  takeEvents(id: NodeId): E[] {
    const events = this.events.get(id) ?? []
    this.events.set(id, [])
    return events
  }
}
