import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { BoundedMap } from './bounded-map.ts'
import { BoundedQueue } from './bounded-queue.ts'

const badCapacities = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]

describe('BoundedQueue', () => {
  it('returns items in FIFO order', () => {
    const queue = new BoundedQueue<number>(4)
    queue.push(1)
    queue.push(2)
    queue.push(3)
    assert.equal(queue.peek(), 1)
    assert.equal(queue.shift(), 1)
    queue.push(4)
    queue.push(5)
    assert.equal(queue.length, 4)
    assert.deepEqual(queue.drain(), [2, 3, 4, 5])
    assert.equal(queue.dropped, 0)
  })

  it('shift and peek on an empty queue return undefined', () => {
    const queue = new BoundedQueue<string>(2)
    assert.equal(queue.shift(), undefined)
    assert.equal(queue.peek(), undefined)
    assert.equal(queue.length, 0)
  })

  it('drop-oldest (the default) keeps the newest capacity items and counts each drop', () => {
    const queue = new BoundedQueue<number>(3)
    for (let i = 1; i <= 7; i++) assert.equal(queue.push(i), true)
    assert.equal(queue.length, 3)
    assert.equal(queue.dropped, 4)
    assert.equal(queue.peek(), 5)
    assert.deepEqual(queue.drain(), [5, 6, 7])
  })

  it('reject-newest keeps the oldest capacity items, refuses the rest and counts each refusal', () => {
    const queue = new BoundedQueue<number>(3, 'reject-newest')
    const stored = [1, 2, 3, 4, 5].map((i) => queue.push(i))
    assert.deepEqual(stored, [true, true, true, false, false])
    assert.equal(queue.dropped, 2)
    assert.deepEqual(queue.drain(), [1, 2, 3])
  })

  it('drain empties the queue, returns items oldest first, and the queue is reusable', () => {
    const queue = new BoundedQueue<number>(2)
    queue.push(1)
    queue.push(2)
    queue.push(3)
    assert.deepEqual(queue.drain(), [2, 3])
    assert.equal(queue.length, 0)
    assert.deepEqual(queue.drain(), [])
    queue.push(4)
    assert.deepEqual(queue.drain(), [4])
  })

  it('drain returns items that are themselves undefined, not stopping at the first', () => {
    const queue = new BoundedQueue<number | undefined>(4)
    queue.push(undefined)
    queue.push(1)
    assert.deepEqual(queue.drain(), [undefined, 1])
    assert.equal(queue.length, 0)
  })

  it('law: under either policy the queue equals the matching slice of everything pushed, and drops are counted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('drop-oldest' as const, 'reject-newest' as const),
        fc.array(fc.oneof(fc.integer(), fc.constant('shift' as const)), { maxLength: 60 }),
        (capacity, policy, operations) => {
          const queue = new BoundedQueue<number>(capacity, policy)
          const model: number[] = []
          let dropped = 0
          for (const operation of operations) {
            if (operation === 'shift') {
              assert.equal(queue.shift(), model.shift())
              continue
            }
            if (model.length === capacity) {
              dropped++
              if (policy === 'drop-oldest') {
                model.shift()
                model.push(operation)
              }
            } else {
              model.push(operation)
            }
            queue.push(operation)
            assert.ok(queue.length <= capacity)
          }
          assert.equal(queue.dropped, dropped)
          assert.equal(queue.length, model.length)
          assert.deepEqual(queue.drain(), model)
        },
      ),
    )
  })

  it('rejects capacities that are not positive integers', () => {
    for (const capacity of badCapacities) {
      assert.throws(() => new BoundedQueue(capacity), RangeError, `${capacity}`)
    }
  })
})

describe('BoundedMap', () => {
  it('evicts the entry inserted longest ago when a new key arrives at capacity', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    assert.deepEqual(
      [...map],
      [
        ['b', 2],
        ['c', 3],
      ],
    )
    assert.equal(map.has('a'), false)
    assert.equal(map.evicted, 1)
  })

  it('get does not refresh an entry, so without touch eviction is FIFO', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    assert.equal(map.get('a'), 1)
    map.set('c', 3)
    assert.equal(map.has('a'), false)
  })

  it('updating an existing key keeps its place, does not evict and does not count', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 10)
    assert.equal(map.size, 2)
    assert.equal(map.evicted, 0)
    map.set('c', 3)
    assert.deepEqual([...map.keys()], ['b', 'c'])
  })

  it('touch makes an entry the most recently used, giving LRU eviction', () => {
    const map = new BoundedMap<string, number>(3)
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    map.touch('a')
    map.set('d', 4)
    assert.deepEqual([...map.keys()], ['c', 'a', 'd'])
    map.touch('c')
    map.set('e', 5)
    assert.deepEqual([...map.keys()], ['d', 'c', 'e'])
    assert.equal(map.evicted, 2)
  })

  it('touch on a missing key does nothing, and touch keeps an entry whose value is undefined', () => {
    const map = new BoundedMap<string, number | undefined>(2)
    map.touch('missing')
    assert.equal(map.size, 0)
    map.set('u', undefined)
    map.set('v', 1)
    map.touch('u')
    assert.deepEqual([...map.keys()], ['v', 'u'])
    assert.equal(map.has('u'), true)
  })

  it('counts every eviction and calls onEvict with the evicted key and value', () => {
    const evictions: [number, string][] = []
    const map = new BoundedMap<number, string>(3, (key, value) => evictions.push([key, value]))
    for (let i = 0; i < 10; i++) map.set(i, `v${i}`)
    assert.equal(map.evicted, 7)
    assert.deepEqual(
      evictions,
      Array.from({ length: 7 }, (_, i) => [i, `v${i}`]),
    )
    assert.deepEqual([...map.values()], ['v7', 'v8', 'v9'])
  })

  it('delete and clear free room without counting evictions', () => {
    const evictions: number[] = []
    const map = new BoundedMap<number, number>(2, (key) => evictions.push(key))
    map.set(1, 1)
    map.set(2, 2)
    assert.equal(map.delete(1), true)
    assert.equal(map.delete(1), false)
    map.set(3, 3)
    map.clear()
    assert.equal(map.size, 0)
    map.set(4, 4)
    assert.equal(map.evicted, 0)
    assert.deepEqual(evictions, [])
  })

  it('law: the map never holds more than capacity entries and agrees with an LRU model', () => {
    type Operation =
      | { op: 'set'; key: number; value: number }
      | { op: 'touch'; key: number }
      | { op: 'delete'; key: number }
    const keyArbitrary = fc.integer({ min: 0, max: 12 })
    const plain = { noNullPrototype: true } as const
    const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: keyArbitrary, value: fc.integer() }, plain),
      fc.record({ op: fc.constant('touch' as const), key: keyArbitrary }, plain),
      fc.record({ op: fc.constant('delete' as const), key: keyArbitrary }, plain),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(operationArbitrary, { maxLength: 80 }),
        (capacity, operations) => {
          const map = new BoundedMap<number, number>(capacity)
          // the model: an array of [key, value], least recently inserted or touched first
          let model: [number, number][] = []
          let evicted = 0
          for (const operation of operations) {
            const index = model.findIndex(([key]) => key === operation.key)
            if (operation.op === 'set') {
              map.set(operation.key, operation.value)
              if (index >= 0) {
                model[index] = [operation.key, operation.value]
              } else {
                if (model.length === capacity) {
                  model = model.slice(1)
                  evicted++
                }
                model.push([operation.key, operation.value])
              }
            } else if (operation.op === 'touch') {
              map.touch(operation.key)
              const entry = model[index]
              if (entry !== undefined) model = [...model.filter((_, i) => i !== index), entry]
            } else {
              map.delete(operation.key)
              if (index >= 0) model = model.filter((_, i) => i !== index)
            }
            assert.ok(map.size <= capacity)
          }
          assert.deepEqual([...map], model)
          assert.equal(map.evicted, evicted)
        },
      ),
    )
  })

  it('rejects capacities that are not positive integers', () => {
    for (const capacity of badCapacities) {
      assert.throws(() => new BoundedMap(capacity), RangeError, `${capacity}`)
    }
  })
})
