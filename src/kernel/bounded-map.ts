/**
 * A Map with a maximum number of entries. Inserting a new key into a full map evicts the entry that was
 * inserted (or refreshed) longest ago and counts the eviction. `get` does not refresh; `touch` does, so a
 * caller chooses between FIFO and LRU behaviour per use.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>()
  /** Entries lost to the bound since construction. */
  evicted = 0

  readonly capacity: number
  private readonly onEvict: ((key: K, value: V) => void) | undefined

  constructor(capacity: number, onEvict?: (key: K, value: V) => void) {
    this.capacity = capacity
    this.onEvict = onEvict
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    }
  }

  get size(): number {
    return this.entries.size
  }

  get(key: K): V | undefined {
    return this.entries.get(key)
  }

  has(key: K): boolean {
    return this.entries.has(key)
  }

  set(key: K, value: V): void {
    if (this.entries.has(key)) {
      this.entries.set(key, value)
      return
    }
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) {
        const oldValue = this.entries.get(oldest.value) as V
        this.entries.delete(oldest.value)
        this.evicted++
        this.onEvict?.(oldest.value, oldValue)
      }
    }
    this.entries.set(key, value)
  }

  /** Marks `key` as the most recently used entry. */
  touch(key: K): void {
    const value = this.entries.get(key)
    if (value === undefined && !this.entries.has(key)) return
    this.entries.delete(key)
    this.entries.set(key, value as V)
  }

  delete(key: K): boolean {
    return this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }

  keys(): IterableIterator<K> {
    return this.entries.keys()
  }

  values(): IterableIterator<V> {
    return this.entries.values()
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries[Symbol.iterator]()
  }
}
