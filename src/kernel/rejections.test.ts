import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { RejectionCounter } from './rejections.ts'

describe('RejectionCounter', () => {
  it('counts rejections per reason and in total', () => {
    const counter = new RejectionCounter<'truncated' | 'bad-version' | 'unknown-type'>()
    counter.add('truncated')
    counter.add('truncated')
    counter.add('bad-version', 5)
    assert.equal(counter.get('truncated'), 2)
    assert.equal(counter.get('bad-version'), 5)
    assert.equal(counter.get('unknown-type'), 0)
    assert.equal(counter.total, 7)
  })

  it('starts at zero', () => {
    const counter = new RejectionCounter()
    assert.equal(counter.total, 0)
    assert.deepEqual(counter.toJSON(), {})
  })

  it('toJSON lists reasons in sorted order whatever the order they were first seen', () => {
    const counter = new RejectionCounter()
    for (const reason of ['truncated', 'bad-version', 'invalid-utf8', 'bad-version', 'frame-too-large']) {
      counter.add(reason)
    }
    const json = counter.toJSON()
    assert.deepEqual(Object.keys(json), ['bad-version', 'frame-too-large', 'invalid-utf8', 'truncated'])
    assert.deepEqual(json, { 'bad-version': 2, 'frame-too-large': 1, 'invalid-utf8': 1, truncated: 1 })
    assert.equal(JSON.stringify(counter), JSON.stringify(json))
  })

  it('law: the total is the sum of the per-reason counts, and toJSON keys are sorted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 0, max: 100 }))),
        (additions) => {
          const counter = new RejectionCounter()
          for (const [reason, count] of additions) counter.add(reason, count)
          const json = counter.toJSON()
          const sum = Object.values(json).reduce((total, count) => total + count, 0)
          assert.equal(counter.total, sum)
          assert.deepEqual(Object.keys(json), Object.keys(json).slice().sort())
        },
      ),
    )
  })
})
