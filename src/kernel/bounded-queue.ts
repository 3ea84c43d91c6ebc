/**
 * A FIFO ring buffer with a fixed capacity. When full, `push` either drops the oldest item or refuses the
 * new one (chosen at construction) and counts the drop: a queue fed by remote peers must never grow
 * without bound (js-libp2p-gossipsub #325, rust-libp2p #5595).
 */
export type OverflowPolicy = 'drop-oldest' | 'reject-newest'

export class BoundedQueue<T> {
  private readonly items: (T | undefined)[]
  private head = 0
  private size = 0
  /** Items lost to the bound since construction. */
  dropped = 0

  readonly capacity: number
  private readonly policy: OverflowPolicy

  constructor(capacity: number, policy: OverflowPolicy = 'drop-oldest') {
    this.capacity = capacity
    this.policy = policy
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    }
    this.items = new Array<T | undefined>(capacity)
  }

  get length(): number {
    return this.size
  }

  /** Returns false when the item was not stored (reject-newest on a full queue). */
  push(item: T): boolean {
    if (this.size === this.capacity) {
      this.dropped++
      if (this.policy === 'reject-newest') return false
      this.items[this.head] = item
      this.head = (this.head + 1) % this.capacity
      return true
    }
    this.items[(this.head + this.size) % this.capacity] = item
    this.size++
    return true
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) % this.capacity
    this.size--
    return item
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head]
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out: T[] = []
    // loop on size, not on `shift() !== undefined`: an item may itself be undefined
    while (this.size > 0) out.push(this.shift() as T)
    return out
  }
}
