import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Decoder, Encoder, isMeshError } from '../../kernel/index.ts'
import {
  compareTimestamps,
  HybridClock,
  isWithinDrift,
  MAX_LOGICAL,
  MAX_WALL_MS,
  readTimestamp,
  type Timestamp,
  writeTimestamp,
} from './hlc.ts'

const RUNS = 2_000

/** Physical readings that jump forwards and backwards around a small range, so ties are common. */
const readings = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 })

const timestamps: fc.Arbitrary<Timestamp> = fc.record({
  wallMs: fc.integer({ min: 0, max: 5 }),
  logical: fc.integer({ min: 0, max: 3 }),
  node: fc.constantFrom('a', 'b', 'c'),
})

type Event =
  | { kind: 'local'; clock: number; physicalMs: number }
  | { kind: 'send'; from: number; to: number; physicalMs: number; receiveMs: number }

const events: fc.Arbitrary<Event[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('local' as const),
      clock: fc.nat(2),
      physicalMs: fc.integer({ min: 0, max: 30 }),
    }),
    fc.record({
      kind: fc.constant('send' as const),
      from: fc.nat(2),
      to: fc.nat(2),
      physicalMs: fc.integer({ min: 0, max: 30 }),
      receiveMs: fc.integer({ min: 0, max: 30 }),
    }),
  ),
  { maxLength: 40 },
)

describe('HybridClock', () => {
  it('issues strictly increasing timestamps even when physical time runs backwards', () => {
    fc.assert(
      fc.property(readings, (physical) => {
        const clock = new HybridClock('a')
        let previous: Timestamp | undefined
        for (const physicalMs of physical) {
          const ts = clock.now(physicalMs)
          if (previous !== undefined && compareTimestamps(previous, ts) >= 0) return false
          if (ts.wallMs < physicalMs) return false // l ≥ pt (the paper's Theorem 1 bound, lower side)
          previous = ts
        }
        return true
      }),
      { numRuns: RUNS },
    )
  })

  it('stamps a receipt above both the remote timestamp and everything it issued before', () => {
    fc.assert(
      fc.property(readings, timestamps, fc.integer({ min: 0, max: 40 }), (physical, remote, receiveMs) => {
        const clock = new HybridClock('b')
        let last: Timestamp = clock.last
        for (const physicalMs of physical) last = clock.now(physicalMs)
        const receipt = clock.observe(remote, receiveMs)
        return (
          compareTimestamps(receipt, remote) > 0 &&
          compareTimestamps(receipt, last) > 0 &&
          receipt.wallMs === Math.max(last.wallMs, remote.wallMs, receiveMs)
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('orders every send before its receipt and every later event of the receiver (happens-before)', () => {
    fc.assert(
      fc.property(events, (plan) => {
        const clocks = ['a', 'b', 'c'].map((node) => new HybridClock(node))
        let maxHeardMs = 0
        for (const event of plan) {
          if (event.kind === 'local') {
            const before = (clocks[event.clock] as HybridClock).last
            const ts = (clocks[event.clock] as HybridClock).now(event.physicalMs)
            if (compareTimestamps(ts, before) <= 0) return false
            maxHeardMs = Math.max(maxHeardMs, event.physicalMs)
            continue
          }
          const sent = (clocks[event.from] as HybridClock).now(event.physicalMs)
          const received = (clocks[event.to] as HybridClock).observe(sent, event.receiveMs)
          const later = (clocks[event.to] as HybridClock).now(event.receiveMs)
          if (compareTimestamps(sent, received) >= 0 || compareTimestamps(received, later) >= 0) return false
          maxHeardMs = Math.max(maxHeardMs, event.physicalMs, event.receiveMs)
        }
        // no overflow is possible here, so no clock runs ahead of the greatest physical time it was given
        return clocks.every((clock) => clock.last.wallMs <= maxHeardMs)
      }),
      { numRuns: RUNS },
    )
  })

  it('counts events within one millisecond and restarts the count when physical time moves on', () => {
    const clock = new HybridClock('a')
    assert.deepEqual(clock.now(100), { wallMs: 100, logical: 0, node: 'a' })
    assert.deepEqual(clock.now(100), { wallMs: 100, logical: 1, node: 'a' })
    assert.deepEqual(clock.now(90), { wallMs: 100, logical: 2, node: 'a' })
    assert.deepEqual(clock.now(101.7), { wallMs: 101, logical: 0, node: 'a' })
  })

  it('takes the remote counter when the remote wall time is the greatest', () => {
    const clock = new HybridClock('a')
    clock.now(100)
    assert.deepEqual(clock.observe({ wallMs: 120, logical: 7, node: 'b' }, 110), {
      wallMs: 120,
      logical: 8,
      node: 'a',
    })
    assert.deepEqual(clock.observe({ wallMs: 120, logical: 3, node: 'b' }, 110), {
      wallMs: 120,
      logical: 9,
      node: 'a',
    })
    assert.deepEqual(clock.observe({ wallMs: 100, logical: 50, node: 'b' }, 130), {
      wallMs: 130,
      logical: 0,
      node: 'a',
    })
  })

  it('borrows the next millisecond when the logical counter would pass its bound', () => {
    const clock = new HybridClock('a', { after: { wallMs: 500, logical: MAX_LOGICAL - 1, node: 'a' } })
    assert.deepEqual(clock.now(500), { wallMs: 500, logical: MAX_LOGICAL, node: 'a' })
    assert.deepEqual(clock.now(500), { wallMs: 501, logical: 0, node: 'a' })
    const other = new HybridClock('b')
    assert.deepEqual(other.observe({ wallMs: 700, logical: MAX_LOGICAL, node: 'a' }, 10), {
      wallMs: 701,
      logical: 0,
      node: 'b',
    })
  })

  it('resumes above the timestamp it was started after, even if physical time went backwards', () => {
    const clock = new HybridClock('a', { after: { wallMs: 1_000, logical: 4, node: 'a' } })
    assert.deepEqual(clock.now(10), { wallMs: 1_000, logical: 5, node: 'a' })
  })

  it('refuses physical times and remote timestamps out of range as local misuse', () => {
    const clock = new HybridClock('a')
    for (const physicalMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, MAX_WALL_MS + 1]) {
      assert.throws(() => clock.now(physicalMs), isMeshError)
    }
    assert.throws(() => clock.observe({ wallMs: 1.5, logical: 0, node: 'b' }, 0), isMeshError)
    assert.throws(() => clock.observe({ wallMs: 0, logical: MAX_LOGICAL + 1, node: 'b' }, 0), isMeshError)
    assert.deepEqual(clock.last, { wallMs: 0, logical: 0, node: 'a' })
  })
})

describe('compareTimestamps', () => {
  it('is a total order: antisymmetric, transitive, and zero only for equal timestamps', () => {
    fc.assert(
      fc.property(timestamps, timestamps, timestamps, (a, b, c) => {
        const ab = compareTimestamps(a, b)
        const equal = a.wallMs === b.wallMs && a.logical === b.logical && a.node === b.node
        const transitive = !(ab <= 0 && compareTimestamps(b, c) <= 0) || compareTimestamps(a, c) <= 0
        return Math.sign(ab) === -Math.sign(compareTimestamps(b, a)) && (ab === 0) === equal && transitive
      }),
      { numRuns: RUNS },
    )
  })

  it('orders by wall time, then counter, then node', () => {
    const ts = (wallMs: number, logical: number, node: string): Timestamp => ({ wallMs, logical, node })
    assert.ok(compareTimestamps(ts(1, 9, 'z'), ts(2, 0, 'a')) < 0)
    assert.ok(compareTimestamps(ts(2, 1, 'a'), ts(2, 0, 'z')) > 0)
    assert.ok(compareTimestamps(ts(2, 1, 'a'), ts(2, 1, 'b')) < 0)
  })
})

describe('isWithinDrift', () => {
  it('accepts past timestamps and refuses those beyond the window ahead of physical time', () => {
    const ts = (wallMs: number): Timestamp => ({ wallMs, logical: 3, node: 'a' })
    assert.equal(isWithinDrift(ts(0), 10_000, 500), true)
    assert.equal(isWithinDrift(ts(10_500), 10_000, 500), true)
    assert.equal(isWithinDrift(ts(10_501), 10_000, 500), false)
  })
})

describe('timestamp codec', () => {
  it('round-trips every valid timestamp', () => {
    const valid = fc.record({
      wallMs: fc.integer({ min: 0, max: MAX_WALL_MS }),
      logical: fc.integer({ min: 0, max: MAX_LOGICAL }),
      node: fc.string({ unit: 'grapheme', maxLength: 20 }),
    })
    fc.assert(
      fc.property(valid, (ts) => {
        const encoder = new Encoder()
        writeTimestamp(encoder, ts)
        const decoder = new Decoder(encoder.finish())
        const read = readTimestamp(decoder)
        assert.ok(decoder.done())
        assert.deepEqual(read, { ...ts })
      }),
      { numRuns: RUNS },
    )
  })

  it('refuses numbers out of range, overlong node ids and truncated input without throwing', () => {
    const read = (write: (encoder: Encoder) => void, maxNodeBytes?: number) => {
      const encoder = new Encoder()
      write(encoder)
      const decoder = new Decoder(encoder.finish())
      readTimestamp(decoder, maxNodeBytes)
      decoder.done()
      return decoder.error
    }
    const fields = (wallMs: number, logical: number, node: string) => (encoder: Encoder) => {
      encoder.varUint(wallMs)
      encoder.varUint(logical)
      encoder.string(node)
    }
    assert.equal(read(fields(MAX_WALL_MS + 1, 0, 'a')), 'invalid-value')
    assert.equal(read(fields(0, MAX_LOGICAL + 1, 'a')), 'invalid-value')
    assert.equal(read(fields(0, 0, 'abcd'), 3), 'length-too-large')
    assert.equal(
      read((encoder) => encoder.varUint(5)),
      'truncated',
    )
  })
})
