import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Suspicion } from './suspicion.ts'

const MIN_MS = 100
const MAX_MS = 600

/** Lifeguard's formula, written out independently of the implementation. */
function expectedTimeoutMs(confirmations: number, expected: number, minMs: number, maxMs: number): number {
  if (expected < 1) return minMs
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1)
  return Math.max(minMs, maxMs - fraction * (maxMs - minMs))
}

describe('Suspicion', () => {
  it('starts at the maximum timeout, counted from when it started', () => {
    const suspicion = new Suspicion(3, 1_000, 'a', 3, MIN_MS, MAX_MS)
    assert.equal(suspicion.confirmations, 0)
    assert.equal(suspicion.timeoutMs(), MAX_MS)
    assert.equal(suspicion.deadline(), 1_000 + MAX_MS)
    assert.equal(suspicion.incarnation, 3)
  })

  it('shrinks logarithmically with each distinct confirmation and reaches the minimum after k of them', () => {
    const suspicion = new Suspicion(0, 0, 'a', 3, MIN_MS, MAX_MS)
    const timeouts = [suspicion.timeoutMs()]
    for (const accuser of ['b', 'c', 'd']) {
      assert.equal(suspicion.confirm(accuser), true)
      timeouts.push(suspicion.timeoutMs())
    }
    // max − (max − min)·log(c + 1)/log(4): 600, 350, ≈204, 100
    assert.equal(timeouts[0], 600)
    assert.equal(timeouts[1], 350)
    assert.ok(Math.abs((timeouts[2] ?? 0) - (600 - (500 * Math.log(3)) / Math.log(4))) < 1e-9)
    assert.equal(timeouts[3], MIN_MS)
    // logarithmic: the first confirmation buys more than the second, the second more than the third
    const steps = timeouts.slice(1).map((timeout, i) => (timeouts[i] ?? 0) - timeout)
    assert.ok((steps[0] ?? 0) > (steps[1] ?? 0) && (steps[1] ?? 0) > (steps[2] ?? 0), `${steps}`)
  })

  it('does not count the first accuser again, nor a confirmer twice', () => {
    const suspicion = new Suspicion(0, 0, 'a', 3, MIN_MS, MAX_MS)
    assert.equal(suspicion.confirm('a'), false)
    assert.equal(suspicion.confirm('b'), true)
    assert.equal(suspicion.confirm('b'), false)
    assert.equal(suspicion.confirmations, 1)
    assert.equal(suspicion.timeoutMs(), 350)
  })

  it('ignores confirmations beyond the k expected', () => {
    const suspicion = new Suspicion(0, 0, 'a', 2, MIN_MS, MAX_MS)
    assert.equal(suspicion.confirm('b'), true)
    assert.equal(suspicion.confirm('c'), true)
    assert.equal(suspicion.confirm('d'), false)
    assert.equal(suspicion.confirmations, 2)
    assert.equal(suspicion.timeoutMs(), MIN_MS)
  })

  it('with k = 0 expected confirmations, the timeout is the minimum from the start', () => {
    const suspicion = new Suspicion(0, 50, 'a', 0, MIN_MS, MAX_MS)
    assert.equal(suspicion.timeoutMs(), MIN_MS)
    assert.equal(suspicion.deadline(), 50 + MIN_MS)
    assert.equal(suspicion.confirm('b'), false)
  })

  it('a maximum below the minimum is raised to the minimum', () => {
    const suspicion = new Suspicion(0, 0, 'a', 3, MIN_MS, MIN_MS / 2)
    assert.equal(suspicion.timeoutMs(), MIN_MS)
  })

  it('law: the timeout follows max − (max − min)·log(c + 1)/log(k + 1), never leaves [min, max], and never grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'), {
          maxLength: 30,
        }),
        (expected, minMs, multiplier, accusers) => {
          const maxMs = minMs * multiplier
          const suspicion = new Suspicion(0, 0, 'a', expected, minMs, maxMs)
          const distinct = new Set(['a'])
          let previous = suspicion.timeoutMs()
          for (const accuser of accusers) {
            const counted = suspicion.confirm(accuser)
            assert.equal(counted, !distinct.has(accuser) && distinct.size - 1 < expected)
            if (counted) distinct.add(accuser)
            const timeout = suspicion.timeoutMs()
            assert.equal(suspicion.confirmations, distinct.size - 1)
            assert.ok(Math.abs(timeout - expectedTimeoutMs(distinct.size - 1, expected, minMs, maxMs)) < 1e-9)
            assert.ok(timeout >= minMs && timeout <= maxMs)
            assert.ok(timeout <= previous)
            previous = timeout
          }
        },
      ),
    )
  })
})
