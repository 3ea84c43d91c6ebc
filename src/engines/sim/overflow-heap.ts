/**
 * A binary min-heap of items keyed by (tick, insertion order): the scheduler's store for events beyond
 * its timing wheel's horizon.
 *
 * Follows the overflow list of Varghese & Lauck's timing wheels ("Hashed and Hierarchical Timing Wheels",
 * SOSP 1987), which keeps timers too far out for the wheel in a separate structure. Departs from their
 * hierarchical wheels by using a heap: far timers are rare in a simulation (suspicion and anti-entropy
 * timeouts, long idle gaps), so O(log n) per far timer is cheap, and the heap lets the scheduler jump an
 * idle gap of any length in one step by reading its minimum.
 *
 * The insertion counter breaks ties so that equal ticks leave in the order they arrived, which the
 * scheduler needs for FIFO order within a tick. Keys live in typed arrays beside the items so comparisons
 * touch no objects.
 */

const INITIAL_CAPACITY = 64

export class OverflowHeap<T> {
  private ticks = new Float64Array(INITIAL_CAPACITY)
  private orders = new Float64Array(INITIAL_CAPACITY)
  private readonly items: (T | undefined)[] = []
  private count = 0
  /** Next insertion number; a double, so it cannot wrap within any realistic run (2^53 insertions). */
  private nextOrder = 0

  get size(): number {
    return this.count
  }

  /** The smallest tick held, or `Infinity` when empty, so `peekTick() < horizon` needs no size check. */
  peekTick(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.ticks[0] as number)
  }

  push(tick: number, item: T): void {
    if (this.count === this.ticks.length) this.grow()
    const order = this.nextOrder++
    // sift up: move parents down until the hole is where the new key belongs
    let hole = this.count++
    while (hole > 0) {
      const parent = (hole - 1) >>> 1
      const parentTick = this.ticks[parent] as number
      if (parentTick < tick || (parentTick === tick && (this.orders[parent] as number) < order)) break
      this.place(hole, parent)
      hole = parent
    }
    this.ticks[hole] = tick
    this.orders[hole] = order
    this.items[hole] = item
  }

  /** Removes and returns the item with the smallest (tick, insertion order); `undefined` when empty. */
  pop(): T | undefined {
    if (this.count === 0) return undefined
    const top = this.items[0]
    const last = --this.count
    const tick = this.ticks[last] as number
    const order = this.orders[last] as number
    const item = this.items[last]
    this.items[last] = undefined // release the closure for the garbage collector
    if (last === 0) return top
    // sift down: move the smaller child up until the former last entry fits the hole
    let hole = 0
    for (;;) {
      let child = 2 * hole + 1
      if (child >= last) break
      const right = child + 1
      if (right < last && this.less(right, child)) child = right
      const childTick = this.ticks[child] as number
      if (tick < childTick || (tick === childTick && order < (this.orders[child] as number))) break
      this.place(hole, child)
      hole = child
    }
    this.ticks[hole] = tick
    this.orders[hole] = order
    this.items[hole] = item
    return top
  }

  private less(a: number, b: number): boolean {
    const tickA = this.ticks[a] as number
    const tickB = this.ticks[b] as number
    return tickA < tickB || (tickA === tickB && (this.orders[a] as number) < (this.orders[b] as number))
  }

  private place(to: number, from: number): void {
    this.ticks[to] = this.ticks[from] as number
    this.orders[to] = this.orders[from] as number
    this.items[to] = this.items[from]
  }

  private grow(): void {
    const ticks = new Float64Array(this.ticks.length * 2)
    ticks.set(this.ticks)
    this.ticks = ticks
    const orders = new Float64Array(this.orders.length * 2)
    orders.set(this.orders)
    this.orders = orders
  }
}
