import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { Millis } from '../../kernel/index.ts'
import { Scheduler } from './scheduler.ts'

/** Runs `ids` in a scheduler as a log of `id@now`. */
function recorder(scheduler: Scheduler): { log: string[]; mark: (id: string) => (now: Millis) => void } {
  const log: string[] = []
  return {
    log,
    mark: (id) => (now) => {
      assert.equal(now, scheduler.now)
      log.push(`${id}@${now}`)
    },
  }
}

describe('Scheduler', () => {
  it('runs events in order of time whatever order they were scheduled in', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.at(30, mark('c'))
    scheduler.at(10, mark('a'))
    scheduler.at(20, mark('b'))
    assert.equal(scheduler.runUntil(100), 3)
    assert.deepEqual(log, ['a@10', 'b@20', 'c@30'])
  })

  it('runs events of the same tick in the order they were scheduled, even when their times differ', () => {
    const scheduler = new Scheduler({ tickMs: 0.1 })
    const { log, mark } = recorder(scheduler)
    scheduler.at(1.05, mark('later-time-first'))
    scheduler.at(1.01, mark('earlier-time-second'))
    scheduler.at(1.1, mark('exact-third'))
    scheduler.runUntil(2)
    assert.deepEqual(log, ['later-time-first@1.1', 'earlier-time-second@1.1', 'exact-third@1.1'])
  })

  it('quantises each event up to the next tick and never runs it earlier than asked', () => {
    const scheduler = new Scheduler({ tickMs: 0.1 })
    const { log, mark } = recorder(scheduler)
    scheduler.at(0.3, mark('on-boundary')) // 0.3 / 0.1 is 2.9999999999999996 in floating point
    scheduler.at(0.30001, mark('just-after'))
    scheduler.at(7.2, mark('whole'))
    scheduler.runUntil(10)
    assert.deepEqual(log, ['on-boundary@0.3', 'just-after@0.4', 'whole@7.2'])
  })

  it('runs an event at the first tick at or after its time, compared exactly as doubles (any time, 0.1 ms ticks)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (timeMs) => {
        const scheduler = new Scheduler({ tickMs: 0.1 })
        let ranAt = Number.NaN
        scheduler.at(timeMs, (now) => {
          ranAt = now
        })
        scheduler.runUntil(timeMs + 1)
        assert.ok(ranAt >= timeMs, `ran at ${ranAt}, asked for ${timeMs}`)
        assert.ok(ranAt - 0.1 < timeMs * (1 + 1e-15), `ran at ${ranAt}, a tick late for ${timeMs}`)
        // and a run limited to the time asked for runs it exactly when the tick lands on that time
        const again = new Scheduler({ tickMs: 0.1 })
        again.at(timeMs, () => {})
        assert.equal(again.runUntil(timeMs), ranAt <= timeMs ? 1 : 0)
      }),
      { numRuns: 2000 },
    )
  })

  it('honours a coarse tick of 1 ms', () => {
    const scheduler = new Scheduler({ tickMs: 1 })
    const { log, mark } = recorder(scheduler)
    scheduler.at(2.5, mark('a'))
    scheduler.at(2, mark('b'))
    scheduler.runUntil(5)
    assert.deepEqual(log, ['b@2', 'a@3'])
  })

  it('keeps an event an hour ahead in overflow and interleaves it correctly with near events', () => {
    const hour = 3_600_000
    const scheduler = new Scheduler({ tickMs: 0.1, wheelSlots: 1024 })
    const { log, mark } = recorder(scheduler)
    scheduler.at(hour, mark('far-1'))
    scheduler.at(hour - 50, mark('far-0'))
    scheduler.at(5, mark('near'))
    scheduler.at(hour, mark('far-2'))
    // scheduled from inside events: lands just before, exactly on, and just after the far ones
    scheduler.at(hour - 60, () => {
      scheduler.after(59.9, mark('inner-before'))
      scheduler.after(60, mark('inner-same-tick'))
      scheduler.after(60.1, mark('inner-after'))
    })
    assert.equal(scheduler.pending, 5)
    scheduler.runUntil(hour + 1)
    assert.deepEqual(log, [
      'near@5',
      'far-0@3599950',
      'inner-before@3599999.9',
      'far-1@3600000',
      'far-2@3600000',
      'inner-same-tick@3600000',
      'inner-after@3600000.1',
    ])
  })

  it('jumps an idle gap of eleven days in one step rather than slot by slot', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.at(1e9, mark('far'))
    scheduler.at(1e9 + 0.5, mark('farther'))
    const started = performance.now()
    assert.equal(scheduler.runUntil(2e9), 2)
    assert.ok(performance.now() - started < 1000, 'a slot-by-slot walk over 10^10 ticks would take minutes')
    assert.deepEqual(log, ['far@1000000000', 'farther@1000000000.5'])
    assert.equal(scheduler.now, 2e9)
  })

  it('runs events scheduled from inside events, those at now after the ones already queued', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.at(10, () => {
      log.push('first@10')
      scheduler.after(0, mark('spawned-now'))
      scheduler.at(3, mark('spawned-past'))
      scheduler.after(1, mark('spawned-later'))
    })
    scheduler.at(10, mark('second'))
    scheduler.runUntil(20)
    assert.deepEqual(log, ['first@10', 'second@10', 'spawned-now@10', 'spawned-past@10', 'spawned-later@11'])
  })

  it('runUntil runs events at the limit but not after it and leaves now at the limit', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.at(5, mark('at-limit'))
    scheduler.at(5.1, mark('after-limit'))
    assert.equal(scheduler.runUntil(5), 1)
    assert.equal(scheduler.now, 5)
    assert.equal(scheduler.pending, 1)
    assert.equal(scheduler.runUntil(5.05), 0)
    assert.equal(scheduler.now, 5.05)
    assert.equal(scheduler.nextEventTime(), 5.1)
    assert.equal(scheduler.runUntil(5.1), 1)
    assert.deepEqual(log, ['at-limit@5', 'after-limit@5.1'])
  })

  it('schedules at or before an idle now for the first tick not yet run', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.runUntil(12.34)
    scheduler.at(12.34, mark('at-now'))
    scheduler.at(1, mark('in-the-past'))
    scheduler.runUntil(12.4)
    scheduler.at(12.4, mark('at-tick-now'))
    scheduler.runUntil(12.4)
    assert.deepEqual(log, ['at-now@12.4', 'in-the-past@12.4', 'at-tick-now@12.4'])
  })

  it('never moves now backwards when asked to run until an earlier time', () => {
    const scheduler = new Scheduler()
    scheduler.runUntil(50)
    scheduler.at(60, () => {})
    assert.equal(scheduler.runUntil(20), 0)
    assert.equal(scheduler.now, 50)
    assert.equal(scheduler.pending, 1)
  })

  it('runUntil(Infinity) drains every event and leaves now at the last one', () => {
    const scheduler = new Scheduler({ wheelSlots: 32 })
    let count = 0
    const chain = (): void => {
      if (++count < 100) scheduler.after(count * 7, chain)
    }
    scheduler.at(0, chain)
    assert.equal(scheduler.runUntil(Number.POSITIVE_INFINITY), 100)
    assert.equal(scheduler.now, (99 * 100 * 7) / 2)
    assert.equal(scheduler.pending, 0)
  })

  it('runWhile stops as soon as the predicate is false and leaves now at the last event run', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    for (let i = 1; i <= 5; i++) scheduler.at(i, mark(`e${i}`))
    assert.equal(
      scheduler.runWhile(() => log.length < 3, 100),
      3,
    )
    assert.equal(scheduler.now, 3)
    assert.equal(
      scheduler.runWhile(() => true, 4.5),
      1,
    )
    assert.equal(scheduler.now, 4.5)
    assert.deepEqual(log, ['e1@1', 'e2@2', 'e3@3', 'e4@4'])
  })

  it('step runs exactly one event and reports whether there was one', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    assert.equal(scheduler.nextEventTime(), undefined)
    assert.equal(scheduler.step(), false)
    scheduler.at(2, mark('a'))
    scheduler.at(1e7, mark('far'))
    assert.equal(scheduler.nextEventTime(), 2)
    assert.equal(scheduler.step(), true)
    assert.equal(scheduler.nextEventTime(), 1e7)
    assert.equal(scheduler.step(), true)
    assert.equal(scheduler.step(), false)
    assert.deepEqual(log, ['a@2', 'far@10000000'])
    assert.equal(scheduler.eventsRun, 2)
    assert.equal(scheduler.pending, 0)
  })

  it('refuses a run started from inside an event', () => {
    const scheduler = new Scheduler()
    let refused = false
    scheduler.at(1, () => {
      assert.throws(() => scheduler.runUntil(10), /not reentrant/)
      refused = true
    })
    scheduler.runUntil(5)
    assert.ok(refused)
  })

  it('stays usable after an event throws', () => {
    const scheduler = new Scheduler()
    const { log, mark } = recorder(scheduler)
    scheduler.at(1, () => {
      throw new Error('boom')
    })
    scheduler.at(1, mark('same-tick'))
    scheduler.at(2, mark('later'))
    assert.throws(() => scheduler.runUntil(10), /boom/)
    assert.equal(scheduler.pending, 2)
    scheduler.runUntil(10)
    assert.deepEqual(log, ['same-tick@1', 'later@2'])
  })

  it('grows past its initial event capacity without losing order', () => {
    const scheduler = new Scheduler({ wheelSlots: 64 })
    const seen: number[] = []
    for (let i = 0; i < 5000; i++) scheduler.at((i * 7919) % 100, () => seen.push(i))
    scheduler.runUntil(100)
    const expected = Array.from({ length: 5000 }, (_, i) => i).sort(
      (a, b) => ((a * 7919) % 100) - ((b * 7919) % 100) || a - b,
    )
    assert.deepEqual(seen, expected)
  })

  it("calls a shared handler with each event's payload, near or beyond the wheel, in order with closures", () => {
    const scheduler = new Scheduler({ wheelSlots: 32 })
    const { log, mark } = recorder(scheduler)
    const handler = (now: Millis, payload: number): void => {
      log.push(`payload ${payload}@${now}`)
    }
    scheduler.atWith(1, handler, 7)
    scheduler.at(1, mark('closure'))
    scheduler.atWith(1000, handler, -2.5) // beyond 32 slots of 0.1 ms: goes through the overflow heap
    scheduler.at(1000, mark('far-closure'))
    scheduler.atWith(1000, handler, 0)
    scheduler.runUntil(2)
    scheduler.afterWith(0, handler, 3)
    scheduler.runUntil(2000)
    assert.deepEqual(log, [
      'payload 7@1',
      'closure@1',
      'payload 3@2',
      'payload -2.5@1000',
      'far-closure@1000',
      'payload 0@1000',
    ])
  })

  it('refuses to hold more than maxPendingEvents, near or far', () => {
    const scheduler = new Scheduler({ maxPendingEvents: 3, wheelSlots: 32 })
    scheduler.at(1, () => {})
    scheduler.at(2, () => {})
    scheduler.at(1e6, () => {})
    assert.throws(() => scheduler.at(3, () => {}), /more than 3 pending events/)
    scheduler.runUntil(1)
    scheduler.at(3, () => {})
    assert.equal(scheduler.pending, 3)
  })

  it('rejects invalid options and times that are not finite', () => {
    assert.throws(() => new Scheduler({ tickMs: 0 }), RangeError)
    assert.throws(() => new Scheduler({ wheelSlots: 1000 }), RangeError)
    assert.throws(() => new Scheduler({ wheelSlots: 16 }), RangeError)
    assert.throws(() => new Scheduler({ maxPendingEvents: 0 }), RangeError)
    const scheduler = new Scheduler()
    assert.throws(() => scheduler.at(Number.NaN, () => {}), RangeError)
    assert.throws(() => scheduler.at(Number.POSITIVE_INFINITY, () => {}), RangeError)
    assert.throws(() => scheduler.runUntil(Number.NaN), RangeError)
  })
})

/**
 * The naive model: a flat list, scanned for the smallest (tick, scheduling order) each time. Ticks are
 * exact here because the property uses a power-of-two tick and times in eighths of a millisecond.
 */
class ReferenceScheduler {
  private readonly queue: { tick: number; order: number; action: (now: Millis) => void }[] = []
  private order = 0
  private cursorTick = 0
  now = 0
  readonly tickMs: number

  constructor(tickMs: number) {
    this.tickMs = tickMs
  }

  at(timeMs: Millis, action: (now: Millis) => void): void {
    const tick = Math.max(Math.ceil(timeMs / this.tickMs), this.cursorTick)
    this.queue.push({ tick, order: this.order++, action })
  }

  runUntil(limitMs: Millis): number {
    const limitTick = Math.floor(limitMs / this.tickMs)
    let count = 0
    for (;;) {
      let best = -1
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i]!
        const b = this.queue[best]
        if (b === undefined || e.tick < b.tick || (e.tick === b.tick && e.order < b.order)) best = i
      }
      const event = this.queue[best]
      if (event === undefined || event.tick > limitTick) break
      this.queue.splice(best, 1)
      this.cursorTick = event.tick
      this.now = Math.max(this.now, event.tick * this.tickMs)
      count++
      event.action(this.now)
    }
    if (Number.isFinite(limitMs)) {
      this.cursorTick = Math.max(this.cursorTick, Math.ceil(limitMs / this.tickMs))
      this.now = Math.max(this.now, limitMs)
    }
    return count
  }

  get pending(): number {
    return this.queue.length
  }
}

interface Program {
  /** Top-level events: time in eighths of a ms, and before which run they are scheduled. */
  roots: { timeEighths: number; beforeRun: number }[]
  /** Events scheduled by another event when it runs: delay in eighths (negative means the past). */
  children: { parentPick: number; delayEighths: number }[]
  /** Run limits in eighths, in the order given (they may go backwards). */
  runs: number[]
}

const programs: fc.Arbitrary<Program> = fc.record({
  roots: fc.array(fc.record({ timeEighths: fc.integer({ min: -8, max: 1600 }), beforeRun: fc.nat(6) }), {
    maxLength: 40,
  }),
  children: fc.array(fc.record({ parentPick: fc.nat(), delayEighths: fc.integer({ min: -16, max: 1200 }) }), {
    maxLength: 60,
  }),
  runs: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 6 }),
})

interface Driver {
  at(timeMs: Millis, action: (now: Millis) => void): void
  runUntil(limitMs: Millis): number
  readonly now: Millis
  readonly pending: number
}

/** Plays a program against a driver and returns everything observable: the run log, counts and clocks. */
function play(program: Program, driver: Driver): string[] {
  const trace: string[] = []
  const childrenOf = new Map<number, { id: number; delayEighths: number }[]>()
  program.children.forEach((child, index) => {
    const id = program.roots.length + index
    const parent = child.parentPick % id // any earlier event, so the nesting is a forest
    const list = childrenOf.get(parent) ?? []
    list.push({ id, delayEighths: child.delayEighths })
    childrenOf.set(parent, list)
  })
  const action =
    (id: number) =>
    (now: Millis): void => {
      trace.push(`run ${id}@${now}`)
      for (const child of childrenOf.get(id) ?? []) driver.at(now + child.delayEighths / 8, action(child.id))
    }
  const limits = [...program.runs, Number.POSITIVE_INFINITY]
  limits.forEach((limit, runIndex) => {
    program.roots.forEach((root, id) => {
      if (Math.min(root.beforeRun, limits.length - 1) === runIndex)
        driver.at(root.timeEighths / 8, action(id))
    })
    const limitMs = limit / 8
    const count = driver.runUntil(limitMs)
    trace.push(`runUntil ${limitMs} ran ${count}, now ${driver.now}, pending ${driver.pending}`)
  })
  return trace
}

describe('Scheduler against a sorted-list model', () => {
  for (const wheelSlots of [32, 65_536]) {
    it(`runs every random schedule, nested scheduling included, exactly as the model does (${wheelSlots} slots)`, () => {
      fc.assert(
        fc.property(programs, (program) => {
          const expected = play(program, new ReferenceScheduler(0.25))
          const actual = play(program, new Scheduler({ tickMs: 0.25, wheelSlots }))
          assert.deepEqual(actual, expected)
        }),
        { numRuns: 300 },
      )
    })
  }
})
