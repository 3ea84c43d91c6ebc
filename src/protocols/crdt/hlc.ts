/**
 * Hybrid logical clock: Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks" (OPODIS 2014),
 * Figure 5. A timestamp is (l, c): `wallMs` is the greatest physical time this clock has heard of, from its
 * own clock or from a message, and `logical` counts events within one `wallMs`. Timestamps then respect
 * causality (e hb f ⇒ ts(e) < ts(f)) like Lamport clocks, yet stay within the clock skew of physical time,
 * so "last writer wins" means roughly the last in real time rather than the writer with the busiest clock.
 *
 * Pure, after the protocol cores: the caller passes physical time in, so the simulator drives it and a test
 * can run it backwards. The clock never goes backwards whatever it is given.
 *
 * Departures from the paper:
 * - Every timestamp carries the writer's id, `node`, as a last key, so the order is total: two writers can
 *   never issue equal timestamps, which last-writer-wins needs to be deterministic. The id should be the
 *   writer's `ActorId` (node id with boot epoch), so a restarted node that lost its clock state cannot
 *   issue a timestamp equal to one from its earlier life.
 * - The logical counter is bounded (`MAX_LOGICAL`, 16 bits, so that with a 48-bit `wallMs` a timestamp
 *   packs into 64 bits). The paper bounds c by the number of events within the skew; a burst of more than
 *   65,535 events in one millisecond, or a peer running that far ahead, would overflow it. Then the clock
 *   borrows the next millisecond (`wallMs + 1`, `logical` 0): still monotone and still above every
 *   timestamp heard, at the cost of running up to a millisecond ahead of max(physical, heard) per overflow
 *   (the paper's bound |l − pt| ≤ ε loosens by that much).
 * - `observe` trusts the remote `wallMs`: a peer whose clock runs far ahead drags this clock along (the
 *   paper assumes bounded skew). The replication layer checks `isWithinDrift` before it observes.
 */
import { type Decoder, type Encoder, MeshError } from '../../kernel/index.ts'
import { compareStrings, DEFAULT_CRDT_LIMITS } from './crdt.ts'

/** The largest `wallMs` (2^48 − 1, about the year 10889): beyond it a timestamp is refused. */
export const MAX_WALL_MS = 2 ** 48 - 1
/** The largest logical counter (16 bits); past it the clock borrows the next millisecond. */
export const MAX_LOGICAL = 2 ** 16 - 1

export interface Timestamp {
  /** Milliseconds of physical time (the greatest heard of), an integer in [0, MAX_WALL_MS]. */
  readonly wallMs: number
  /** Events within `wallMs`, an integer in [0, MAX_LOGICAL]. */
  readonly logical: number
  /** The writer, the last key of the order. */
  readonly node: string
}

/** The total order of timestamps: (wallMs, logical, node). Negative when `a` is earlier. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1
  return compareStrings(a.node, b.node)
}

/** True for a timestamp whose numbers are in range (the node id is not checked here). */
export function isTimestamp(ts: Timestamp): boolean {
  return (
    Number.isInteger(ts.wallMs) &&
    ts.wallMs >= 0 &&
    ts.wallMs <= MAX_WALL_MS &&
    Number.isInteger(ts.logical) &&
    ts.logical >= 0 &&
    ts.logical <= MAX_LOGICAL &&
    typeof ts.node === 'string'
  )
}

/**
 * True when `ts` is at most `maxAheadMs` ahead of this node's physical time. A replica refuses (and counts)
 * remote timestamps beyond the window before it observes or merges them: one such write would otherwise
 * win every later write to its key until real time caught up, and drag every clock that observed it.
 */
export function isWithinDrift(ts: Timestamp, physicalMs: number, maxAheadMs: number): boolean {
  return ts.wallMs <= physicalMs + maxAheadMs
}

export interface HybridClockOptions {
  /**
   * The last timestamp this node issued before a restart, if it was kept: the clock starts above it, so
   * timestamps stay monotone across a restart even if physical time went backwards meanwhile.
   */
  readonly after?: Timestamp
}

export class HybridClock {
  readonly node: string
  private wallMs = 0
  private logical = 0

  constructor(node: string, options: HybridClockOptions = {}) {
    this.node = node
    const after = options.after
    if (after !== undefined) {
      if (!isTimestamp(after))
        throw new MeshError('INVALID_ARGUMENT', 'the clock cannot start after an invalid timestamp')
      this.wallMs = after.wallMs
      this.logical = after.logical
    }
  }

  /** The last timestamp issued (or the start), for a caller that persists the clock. */
  get last(): Timestamp {
    return { wallMs: this.wallMs, logical: this.logical, node: this.node }
  }

  /** A local event (a write or a send) at physical time `physicalMs`: its timestamp. */
  now(physicalMs: number): Timestamp {
    const pt = physicalTime(physicalMs)
    if (pt > this.wallMs) {
      this.wallMs = pt
      this.logical = 0
    } else {
      this.tick(this.logical + 1)
    }
    return this.last
  }

  /** The receipt of a message stamped `remote` at physical time `physicalMs`: the receipt's timestamp. */
  observe(remote: Timestamp, physicalMs: number): Timestamp {
    if (!isTimestamp(remote)) throw new MeshError('INVALID_ARGUMENT', 'cannot observe an invalid timestamp')
    const pt = physicalTime(physicalMs)
    const held = this.wallMs
    const wallMs = Math.max(held, remote.wallMs, pt)
    let logical: number
    if (wallMs === held && wallMs === remote.wallMs) logical = Math.max(this.logical, remote.logical) + 1
    else if (wallMs === held) logical = this.logical + 1
    else if (wallMs === remote.wallMs) logical = remote.logical + 1
    else logical = 0
    this.wallMs = wallMs
    this.tick(logical)
    return this.last
  }

  /** Sets the counter, borrowing the next millisecond when it would pass MAX_LOGICAL. */
  private tick(logical: number): void {
    if (logical <= MAX_LOGICAL) {
      this.logical = logical
      return
    }
    if (this.wallMs >= MAX_WALL_MS)
      throw new MeshError('CAPACITY_EXCEEDED', 'the hybrid clock ran out of time')
    this.wallMs += 1
    this.logical = 0
  }
}

function physicalTime(physicalMs: number): number {
  const pt = Math.floor(physicalMs)
  if (!(pt >= 0 && pt <= MAX_WALL_MS)) {
    throw new MeshError('INVALID_ARGUMENT', `physical time must be in [0, 2^48) ms, got ${physicalMs}`)
  }
  return pt
}

// ---- codec ------------------------------------------------------------------------------------------------

/** Writes `wallMs` and `logical` (two varints), for a caller that writes the node id its own way. */
export function writeClockPart(encoder: Encoder, ts: Timestamp): void {
  encoder.varUint(ts.wallMs)
  encoder.varUint(ts.logical)
}

/** Reads what `writeClockPart` wrote; a number out of range fails the decoder as `invalid-value`. */
export function readClockPart(decoder: Decoder): { wallMs: number; logical: number } {
  const wallMs = decoder.varUint()
  const logical = decoder.varUint()
  if (wallMs > MAX_WALL_MS || logical > MAX_LOGICAL) decoder.fail('invalid-value')
  return { wallMs, logical }
}

export function writeTimestamp(encoder: Encoder, ts: Timestamp): void {
  writeClockPart(encoder, ts)
  encoder.string(ts.node)
}

/** Reads a timestamp whose node id has at most `maxNodeBytes` (an actor id is a key-sized id); check `decoder.error` after. */
export function readTimestamp(
  decoder: Decoder,
  maxNodeBytes: number = DEFAULT_CRDT_LIMITS.maxKeyBytes,
): Timestamp {
  const { wallMs, logical } = readClockPart(decoder)
  const node = decoder.string(maxNodeBytes)
  return { wallMs, logical, node }
}
