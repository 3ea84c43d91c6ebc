/**
 * The simulator's deterministic discrete-event scheduler: virtual time that jumps from event to event.
 *
 * Follows FoundationDB's Sim2 (time stands still while an event runs and jumps to the next event when all
 * wait) and TigerBeetle's simulator (one seed, one thread, no wall clock). The queue is a hashed timing
 * wheel after Varghese & Lauck ("Hashed and Hierarchical Timing Wheels", SOSP 1987, scheme 4): one slot per
 * tick for one revolution ahead, each slot a FIFO list, so scheduling and running are O(1). Measured for the
 * Meshwork reference flood (1M nodes, 8 links each), a 1 ms wheel ran 4.5–6.5× faster than a binary heap.
 *
 * Departures, each for a reason:
 * - Events past the wheel's horizon wait in an overflow min-heap instead of higher wheels; they are rare
 *   (long timeouts) and the heap lets an empty wheel jump any idle gap in one step.
 * - Ticks are 0.1 ms by default rather than TigerBeetle's 10 ms, because LAN latencies are sub-millisecond.
 *   An event asked for time t runs at the first tick whose time is ≥ t, compared as the doubles that `now`
 *   will hold: ceil(t / tickMs), corrected by a step where float rounding would run it a hair early or
 *   late (0.3 × 10 is 3.0000000000000004, yet 0.3 ms is tick 3). Never early matters: a host that
 *   re-arms a timer it woke for "too early" would otherwise spin on the same tick.
 * - Events of one tick run in the order they were scheduled, not by FDB's task priority: the protocol cores
 *   have no priorities, and FIFO keeps replay deterministic without a tie-break key.
 * - `atWith` carries a number to a shared handler, so the hot path of a large run allocates nothing.
 * - No cancellation: callers keep a generation counter and ignore stale events, which is cheaper than
 *   unlinking, and a sans-IO core's `nextDeadline()` already changes that way.
 *
 * Storage is allocation-light: event records are indices into typed arrays (a free list recycles them), so
 * the only per-event object is the closure the caller hands in, and `atWith` avoids even that. On the
 * reference flood (bench/sim-scheduler.ts, 1M nodes, 8M events, 2 vCPUs) the closure path ran ≈1.3–1.4 M
 * events/s on an idle machine and 0.6–0.8 M beside other work, mostly garbage collection of 2.8M pending
 * closures; the payload path ran ≈4.7–5.2 M idle and 2.6–4.5 M beside other work.
 */
import type { Millis } from '../../kernel/index.ts'
import { OverflowHeap } from './overflow-heap.ts'

/** What runs when an event fires; receives the virtual time it fires at. */
export type ScheduledAction = (now: Millis) => void

/**
 * A handler shared by many events, each carrying a number (a node index, a message slot). Scheduling one
 * allocates nothing, where a closure per event costs an object that lives until the event runs; at a
 * million nodes those closures are most of the garbage collector's work.
 */
export type PayloadAction = (now: Millis, payload: number) => void

export interface SchedulerOptions {
  /**
   * Width of one tick. Smaller ticks order close events more finely but make the wheel's horizon shorter.
   * @default 0.1
   */
  tickMs?: number
  /**
   * Slots in the wheel, a power of two of at least 32. With 0.1 ms ticks, 65,536 slots reach 6.5 s ahead,
   * which covers link latencies and probe intervals; longer timers use the overflow heap.
   * @default 65536
   */
  wheelSlots?: number
  /**
   * Most events that may wait at once. A simulation that exceeds it is running away (a message storm, a
   * timer rescheduled in a loop), so scheduling one more throws instead of exhausting memory. The
   * reference flood of 1M nodes peaks at 2.8M pending events.
   * @default 67108864 (2^26)
   */
  maxPendingEvents?: number
}

export const DEFAULT_TICK_MS = 0.1
export const DEFAULT_WHEEL_SLOTS = 65_536
export const DEFAULT_MAX_PENDING_EVENTS = 2 ** 26

const NONE = -1
const INITIAL_EVENT_CAPACITY = 1024

export class Scheduler {
  readonly tickMs: number
  readonly wheelSlots: number
  readonly maxPendingEvents: number
  private readonly slotMask: number
  private readonly ticksPerMs: number
  /** True when 1 / tickMs is a whole number; then tick / ticksPerMs prints 12.3 rather than 12.300000000000001. */
  private readonly wholeTicksPerMs: boolean

  // The wheel: per slot, a FIFO list of event records, and one bit per slot saying whether it is occupied,
  // so finding the next event skips 32 empty slots per word.
  private readonly heads: Int32Array
  private readonly tails: Int32Array
  private readonly occupied: Uint32Array
  private wheelCount = 0

  // Event records: `nextInList` links a slot's list, or the free list of recycled records. Records at or
  // above `recordsUsed` have never been handed out, so growing needs no free-list threading.
  private nextInList: Int32Array
  private payloads: Float64Array
  private actions: (PayloadAction | undefined)[] = []
  private freeHead = NONE
  private recordsUsed = 0

  private readonly overflow = new OverflowHeap<PayloadAction>()

  /**
   * Every tick below the cursor has run; the wheel holds ticks in [cursor, cursor + wheelSlots) and the
   * overflow heap holds the later ones. Both halves of that invariant are restored by `moveCursor`.
   */
  private cursorTick = 0
  private nowMs: Millis = 0
  private ran = 0
  private running = false

  constructor(options: SchedulerOptions = {}) {
    const tickMs = options.tickMs ?? DEFAULT_TICK_MS
    const wheelSlots = options.wheelSlots ?? DEFAULT_WHEEL_SLOTS
    const maxPendingEvents = options.maxPendingEvents ?? DEFAULT_MAX_PENDING_EVENTS
    if (!(Number.isFinite(tickMs) && tickMs > 0)) {
      throw new RangeError(`tickMs must be a positive finite number, got ${tickMs}`)
    }
    if (!(Number.isInteger(wheelSlots) && wheelSlots >= 32 && wheelSlots <= 2 ** 24)) {
      throw new RangeError(`wheelSlots must be an integer in [32, 2^24], got ${wheelSlots}`)
    }
    if ((wheelSlots & (wheelSlots - 1)) !== 0) {
      throw new RangeError(`wheelSlots must be a power of two, got ${wheelSlots}`)
    }
    // event records are Int32Array indices
    if (!(Number.isInteger(maxPendingEvents) && maxPendingEvents >= 1 && maxPendingEvents <= 2 ** 31 - 1)) {
      throw new RangeError(`maxPendingEvents must be an integer in [1, 2^31), got ${maxPendingEvents}`)
    }
    this.tickMs = tickMs
    this.wheelSlots = wheelSlots
    this.maxPendingEvents = maxPendingEvents
    this.slotMask = wheelSlots - 1
    const reciprocal = 1 / tickMs
    this.wholeTicksPerMs = Math.abs(reciprocal - Math.round(reciprocal)) < 1e-9
    this.ticksPerMs = this.wholeTicksPerMs ? Math.round(reciprocal) : reciprocal
    this.heads = new Int32Array(wheelSlots).fill(NONE)
    this.tails = new Int32Array(wheelSlots).fill(NONE)
    this.occupied = new Uint32Array(wheelSlots >>> 5)
    this.nextInList = new Int32Array(INITIAL_EVENT_CAPACITY)
    this.payloads = new Float64Array(INITIAL_EVENT_CAPACITY)
  }

  /** Virtual time: the tick of the running event, or the limit of the last `runUntil` when idle. */
  get now(): Millis {
    return this.nowMs
  }

  /** Events scheduled and not yet run. */
  get pending(): number {
    return this.wheelCount + this.overflow.size
  }

  /** Events run since construction. */
  get eventsRun(): number {
    return this.ran
  }

  /**
   * Schedules `action` for `timeMs`, quantised up to the next tick. A time in the past or at `now` runs at
   * the current tick, after the events already queued for it.
   */
  at(timeMs: Millis, action: ScheduledAction): void {
    this.insert(timeMs, action, 0)
  }

  /** Schedules `action` `delayMs` after `now`. */
  after(delayMs: Millis, action: ScheduledAction): void {
    this.insert(this.nowMs + delayMs, action, 0)
  }

  /** As `at`, for a shared handler called with `payload`: schedules without allocating. */
  atWith(timeMs: Millis, handler: PayloadAction, payload: number): void {
    this.insert(timeMs, handler, payload)
  }

  /** As `after`, for a shared handler called with `payload`. */
  afterWith(delayMs: Millis, handler: PayloadAction, payload: number): void {
    this.insert(this.nowMs + delayMs, handler, payload)
  }

  /**
   * Runs every event whose time is ≤ `timeMs`, including those scheduled meanwhile, then leaves `now` at
   * `timeMs` (never moving it backwards). `runUntil(Infinity)` drains the queue and leaves `now` at the
   * last event. Returns the number of events run.
   */
  runUntil(timeMs: Millis): number {
    const limitTick = this.limitTickOf(timeMs)
    this.enter()
    let count = 0
    try {
      while (this.seek(limitTick)) count += this.drainSlot(this.cursorTick & this.slotMask)
      this.finishAt(timeMs)
    } finally {
      this.running = false
    }
    return count
  }

  /**
   * Runs events in order while `predicate()` holds (checked before each event) and their time is
   * ≤ `limitMs`. When the predicate stops the run, `now` stays at the last event; when events up to the
   * limit run out, `now` moves to `limitMs` as in `runUntil`. Returns the number of events run.
   */
  runWhile(predicate: () => boolean, limitMs: Millis): number {
    const limitTick = this.limitTickOf(limitMs)
    this.enter()
    let count = 0
    try {
      while (predicate()) {
        if (!this.seek(limitTick)) {
          this.finishAt(limitMs)
          break
        }
        this.runFirst(this.cursorTick & this.slotMask)
        count++
      }
    } finally {
      this.running = false
    }
    return count
  }

  /** Runs the next event, however far ahead. Returns false when nothing is pending. */
  step(): boolean {
    this.enter()
    try {
      if (!this.seek(Number.POSITIVE_INFINITY)) return false
      this.runFirst(this.cursorTick & this.slotMask)
      return true
    } finally {
      this.running = false
    }
  }

  /** The time the next event will run at, or `undefined` when nothing is pending. */
  nextEventTime(): Millis | undefined {
    let tick: number
    if (this.wheelCount > 0) {
      tick = this.heads[this.cursorTick & this.slotMask] === NONE ? this.nextOccupiedTick() : this.cursorTick
    } else if (this.overflow.size > 0) {
      tick = this.overflow.peekTick()
    } else {
      return undefined
    }
    const ms = this.msOf(tick)
    return Math.max(ms, this.nowMs)
  }

  // --- internals -------------------------------------------------------------------------------------

  private insert(timeMs: Millis, action: PayloadAction, payload: number): void {
    if (!Number.isFinite(timeMs)) throw new RangeError(`event time must be finite, got ${timeMs}`)
    if (this.wheelCount + this.overflow.size >= this.maxPendingEvents) {
      throw new RangeError(
        `more than ${this.maxPendingEvents} pending events: is the simulation running away?`,
      )
    }
    let tick = this.tickAtOrAfter(timeMs)
    if (tick < this.cursorTick) tick = this.cursorTick
    if (tick - this.cursorTick < this.wheelSlots) {
      this.append(tick & this.slotMask, action, payload)
    } else {
      // Far events are few; binding the payload into a closure keeps the heap to one item per entry.
      this.overflow.push(tick, payload === 0 ? action : (now: Millis) => action(now, payload))
    }
  }

  private enter(): void {
    // A nested run would reorder the outer run's tick; events must schedule, not run, other events.
    if (this.running) throw new Error('Scheduler runs are not reentrant: schedule an event instead')
    this.running = true
  }

  /**
   * Moves the cursor to the earliest tick ≤ `limitTick` that holds an event and sets `now` to it. Returns
   * false, without moving anything, when there is none.
   */
  private seek(limitTick: number): boolean {
    if (this.wheelCount === 0) {
      if (this.overflow.size === 0) return false
      const first = this.overflow.peekTick()
      if (first > limitTick) return false
      this.moveCursor(first)
    } else if (this.heads[this.cursorTick & this.slotMask] === NONE) {
      const tick = this.nextOccupiedTick()
      if (tick > limitTick) return false
      this.moveCursor(tick)
    } else if (this.cursorTick > limitTick) {
      return false
    }
    // max(): snapping may put a tick a hair before an idle `now`; time must never run backwards
    const ms = this.msOf(this.cursorTick)
    if (ms > this.nowMs) this.nowMs = ms
    return true
  }

  /** Runs every event in `slot`, including those appended to it while it runs. */
  private drainSlot(slot: number): number {
    let count = 0
    while (this.heads[slot] !== NONE) {
      this.runFirst(slot)
      count++
    }
    return count
  }

  /** Unlinks the first event of `slot`, recycles its record, then runs it (so a throw leaves no debris). */
  private runFirst(slot: number): void {
    const index = this.heads[slot] as number
    const following = this.nextInList[index] as number
    this.heads[slot] = following
    if (following === NONE) {
      this.tails[slot] = NONE
      this.occupied[slot >>> 5] = (this.occupied[slot >>> 5] as number) & ~(1 << (slot & 31))
    }
    const action = this.actions[index] as PayloadAction
    const payload = this.payloads[index] as number
    this.actions[index] = undefined // release the closure for the garbage collector
    this.nextInList[index] = this.freeHead
    this.freeHead = index
    this.wheelCount--
    this.ran++
    action(this.nowMs, payload)
  }

  /** After a run reached its limit: advance the cursor to the limit's tick so `now` and the wheel agree. */
  private finishAt(limitMs: Millis): void {
    if (!Number.isFinite(limitMs)) return
    const endTick = this.tickAtOrAfter(limitMs)
    // every event ≤ limit has run, and endTick ≤ floor(limit) + 1, so the skipped slots are empty
    if (endTick > this.cursorTick) this.moveCursor(endTick)
    if (limitMs > this.nowMs) this.nowMs = limitMs
  }

  /** Sets the cursor and pulls every overflow event that is now within one revolution into the wheel. */
  private moveCursor(tick: number): void {
    this.cursorTick = tick
    const horizon = tick + this.wheelSlots
    // Heap order is (tick, insertion), and no event for these ticks can have entered the wheel directly
    // yet (it was beyond the horizon until now), so appending keeps FIFO order within each tick.
    while (this.overflow.peekTick() < horizon) {
      const eventTick = this.overflow.peekTick()
      this.append(eventTick & this.slotMask, this.overflow.pop() as PayloadAction, 0)
    }
  }

  /** First occupied tick at or after the cursor; only called when the wheel holds an event. */
  private nextOccupiedTick(): number {
    const start = this.cursorTick & this.slotMask
    const words = this.occupied.length
    let word = start >>> 5
    let bits = (this.occupied[word] as number) & (-1 << (start & 31))
    // one extra word: after a full turn the start word's low bits (the farthest ticks) come into view
    for (let scanned = 0; scanned <= words; scanned++) {
      if (bits !== 0) {
        const slot = (word << 5) + 31 - Math.clz32(bits & -bits)
        return this.cursorTick + ((slot - start) & this.slotMask)
      }
      word = word + 1 === words ? 0 : word + 1
      bits = this.occupied[word] as number
    }
    throw new Error('timing wheel count says occupied but no slot is') // unreachable while counts agree
  }

  private append(slot: number, action: PayloadAction, payload: number): void {
    let index = this.freeHead
    if (index !== NONE) {
      this.freeHead = this.nextInList[index] as number
      this.actions[index] = action
    } else {
      if (this.recordsUsed === this.nextInList.length) this.grow()
      index = this.recordsUsed++
      this.actions.push(action) // records are handed out in index order, so this is actions[index]
    }
    this.payloads[index] = payload
    this.nextInList[index] = NONE
    const tail = this.tails[slot] as number
    if (tail === NONE) {
      this.heads[slot] = index
      this.occupied[slot >>> 5] = (this.occupied[slot >>> 5] as number) | (1 << (slot & 31))
    } else {
      this.nextInList[tail] = index
    }
    this.tails[slot] = index
    this.wheelCount++
  }

  /** Doubles the typed-array half of the event records; `actions` grows by push as records are used. */
  private grow(): void {
    const capacity = this.nextInList.length * 2
    const next = new Int32Array(capacity)
    next.set(this.nextInList)
    this.nextInList = next
    const payloads = new Float64Array(capacity)
    payloads.set(this.payloads)
    this.payloads = payloads
  }

  /** The first tick whose time is ≥ `timeMs`. The estimate is off by at most one tick from float rounding. */
  private tickAtOrAfter(timeMs: Millis): number {
    let tick = Math.ceil(timeMs * this.ticksPerMs)
    while (this.msOf(tick) < timeMs) tick++
    while (this.msOf(tick - 1) >= timeMs) tick--
    return tick
  }

  /** The last tick a run limited to `timeMs` may execute; ±Infinity pass through. */
  private limitTickOf(timeMs: Millis): number {
    if (Number.isNaN(timeMs)) throw new RangeError('run limit must be a number, got NaN')
    if (!Number.isFinite(timeMs)) return timeMs
    let tick = Math.floor(timeMs * this.ticksPerMs)
    while (this.msOf(tick) > timeMs) tick--
    while (this.msOf(tick + 1) <= timeMs) tick++
    return tick
  }

  private msOf(tick: number): Millis {
    return this.wholeTicksPerMs ? tick / this.ticksPerMs : tick * this.tickMs
  }
}
