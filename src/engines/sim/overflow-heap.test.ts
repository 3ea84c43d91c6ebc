import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { OverflowHeap } from './overflow-heap.ts'

describe('OverflowHeap', () => {
  it('pops in order of tick, and of insertion among equal ticks, under any mix of pushes and pops', () => {
    const operations = fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), {
      maxLength: 300,
    })
    fc.assert(
      fc.property(operations, (ops) => {
        const heap = new OverflowHeap<number>()
        const model: { tick: number; id: number }[] = []
        ops.forEach((tick, id) => {
          if (tick === undefined) {
            model.sort((a, b) => a.tick - b.tick || a.id - b.id)
            assert.equal(heap.peekTick(), model[0]?.tick ?? Number.POSITIVE_INFINITY)
            assert.equal(heap.pop(), model.shift()?.id)
          } else {
            heap.push(tick, id)
            model.push({ tick, id })
          }
          assert.equal(heap.size, model.length)
        })
      }),
    )
  })

  it('reports Infinity as the smallest tick of an empty heap and pops undefined', () => {
    const heap = new OverflowHeap<string>()
    assert.equal(heap.peekTick(), Number.POSITIVE_INFINITY)
    assert.equal(heap.pop(), undefined)
  })
})
