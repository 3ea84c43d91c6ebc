import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { OrderedStream, type StreamSink } from './ordered-stream.ts'

const GAP_MS = 100

/** A sink that records what a stream delivered and skipped. */
function recorder(): StreamSink<number> & { seqs: number[]; skips: [number, number][] } {
  const seqs: number[] = []
  const skips: [number, number][] = []
  return {
    seqs,
    skips,
    deliver: (seq) => seqs.push(seq),
    skipped: (_epoch, from, to) => skips.push([from, to]),
  }
}

/** Skips every gap that is due at `now`, as the core's tick does. */
function tick(stream: OrderedStream<number>, now: number, sink: StreamSink<number>): void {
  for (let due = stream.dueAt; due !== undefined && due <= now; due = stream.dueAt)
    stream.skipGap('timeout', sink)
}

// arrivals: a subset of 1..n in some order, with the time since the previous arrival
const arrivals = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(
    fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i + 1),
      { minLength: 1 },
    ),
    fc.array(fc.integer({ min: 0, max: 2 * GAP_MS }), { minLength: n, maxLength: n }),
  ),
)

describe('ordered stream', () => {
  it('delivers each number at most once and in increasing order, and accounts for every number up to the highest arrived', () => {
    fc.assert(
      fc.property(arrivals, ([seqs, pauses]) => {
        const stream = new OrderedStream<number>(GAP_MS)
        const sink = recorder()
        let now = 0
        let late = 0
        for (const [i, seq] of seqs.entries()) {
          now += pauses[i] as number
          tick(stream, now, sink)
          if (stream.offer(now, 1, seq, seq, 1, sink) === 'late') late++
        }
        tick(stream, Number.POSITIVE_INFINITY, sink)
        const { seqs: delivered, skips } = sink
        assert.ok(delivered.every((seq, i) => i === 0 || seq > (delivered[i - 1] as number)))
        // delivered and skipped numbers partition 1 … highest arrived
        const accounted = [...delivered, ...skips.flatMap(([from, to]) => range(from, to))].sort(
          (a, b) => a - b,
        )
        assert.deepEqual(accounted, range(1, Math.max(...seqs)))
        // an arrival is delivered unless it came after its number was skipped
        assert.equal(delivered.length + late, seqs.length)
        assert.equal(stream.size, 0)
      }),
      { numRuns: 3_000 },
    )
  })

  it('skips nothing when every publication arrives within gapTimeoutMs of the one after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.shuffledSubarray(
            Array.from({ length: n }, (_, i) => i + 1),
            { minLength: n },
          ),
        ),
        (seqs) => {
          const stream = new OrderedStream<number>(GAP_MS)
          const sink = recorder()
          // all arrive within one gap timeout: whatever the order, nothing is skipped
          for (const [i, seq] of seqs.entries()) {
            tick(stream, i, sink)
            stream.offer(i, 1, seq, seq, 1, sink)
          }
          assert.deepEqual(sink.seqs, range(1, seqs.length))
          assert.deepEqual(sink.skips, [])
        },
      ),
      { numRuns: 1_000 },
    )
  })
})

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}
