import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { PartitionDetector } from './partition-detector.ts'

describe('PartitionDetector', () => {
  it('reports a partition when the reachable share falls below the quorum, once', () => {
    const detector = new PartitionDetector(0.75)
    assert.equal(detector.observe(0, 5, 5), undefined)
    assert.equal(detector.observe(1, 4, 5), undefined, '4 of 5 is above 0.75')
    assert.deepEqual(detector.observe(2, 3, 5), { type: 'PartitionDetected', at: 2, reachable: 3, known: 5 })
    assert.equal(detector.partitioned, true)
    assert.equal(detector.observe(3, 2, 5), undefined, 'still partitioned: no second event')
  })

  it('reports the heal when the share is back at the quorum', () => {
    const detector = new PartitionDetector(0.75)
    detector.observe(0, 2, 5)
    assert.deepEqual(detector.observe(1, 4, 5), { type: 'PartitionHealed', at: 1, reachable: 4, known: 5 })
    assert.equal(detector.partitioned, false)
    assert.equal(detector.observe(2, 5, 5), undefined)
  })

  it('a share exactly at the quorum is not a partition', () => {
    const detector = new PartitionDetector(0.5)
    assert.equal(detector.observe(0, 2, 4), undefined)
    assert.equal(detector.partitioned, false)
  })

  it('with fewer than three known members, losing some is never a partition', () => {
    const detector = new PartitionDetector(0.75)
    assert.equal(detector.observe(0, 1, 1), undefined)
    assert.equal(detector.observe(1, 1, 2), undefined)
    assert.ok(detector.observe(2, 1, 3)?.type === 'PartitionDetected')
  })

  it('a partition that outlasts the failed members it counted is reported healed when they are forgotten', () => {
    const detector = new PartitionDetector(0.75)
    detector.observe(0, 2, 5)
    // the three unreachable members are reaped: 2 of 2 known
    assert.equal(detector.observe(1, 2, 2)?.type, 'PartitionHealed')
  })

  it('law: events alternate detected/healed, and `partitioned` always says whether the last share was below quorum', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(
          fc
            .integer({ min: 0, max: 50 })
            .chain((known) => fc.integer({ min: 0, max: known }).map((reachable) => ({ reachable, known }))),
          { maxLength: 60 },
        ),
        (quorum, observations) => {
          const detector = new PartitionDetector(quorum)
          let expectDetected = true
          observations.forEach(({ reachable, known }, at) => {
            const event = detector.observe(at, reachable, known)
            const below = known >= 3 && reachable < quorum * known
            assert.equal(detector.partitioned, below)
            if (event !== undefined) {
              assert.equal(event.type, expectDetected ? 'PartitionDetected' : 'PartitionHealed')
              assert.deepEqual(event, { type: event.type, at, reachable, known })
              expectDetected = !expectDetected
            }
          })
        },
      ),
    )
  })
})
