/**
 * A node's own clock in the simulation: the shared virtual time seen through a fixed offset and a rate
 * error, so that protocols meet the clock skew real machines have.
 *
 * Follows TigerBeetle's `src/testing/time.zig` (`TimeSim`), whose `linear` offset type is exactly this:
 * local = sim · (1 + drift) + offset. Departs from it by leaving out the periodic, step and non-ideal offset
 * types (NTP-style corrections and jumps) for now, and by working in milliseconds of virtual time rather
 * than ticks. Drift is in parts per million because that is how oscillators are specified (quartz is
 * typically within ±100 ppm).
 */
import type { Millis, Random } from '../../kernel/index.ts'

const PPM = 1e6

export class SkewedClock {
  /** How far this node's clock is ahead of virtual time at virtual time 0 (negative: behind). */
  readonly offsetMs: number
  /** Rate error: +200 means this clock gains 200 µs per virtual second. */
  readonly driftPpm: number
  private readonly rate: number

  constructor(offsetMs: number, driftPpm: number) {
    if (!Number.isFinite(offsetMs)) throw new RangeError(`offsetMs must be finite, got ${offsetMs}`)
    // a rate of zero or less would stop or reverse the clock, and toSim would have no answer
    if (!(Number.isFinite(driftPpm) && driftPpm > -PPM)) {
      throw new RangeError(`driftPpm must be finite and above -1e6, got ${driftPpm}`)
    }
    this.offsetMs = offsetMs
    this.driftPpm = driftPpm
    this.rate = 1 + driftPpm / PPM
  }

  /** A clock with no skew: local time equals virtual time. */
  static exact(): SkewedClock {
    return new SkewedClock(0, 0)
  }

  /** A clock with offset uniform in ±maxOffsetMs and drift uniform in ±maxDriftPpm. */
  static drawn(random: Random, maxOffsetMs: number, maxDriftPpm: number): SkewedClock {
    const offsetMs = random.floatBetween(-maxOffsetMs, maxOffsetMs)
    const driftPpm = random.floatBetween(-maxDriftPpm, maxDriftPpm)
    return new SkewedClock(offsetMs, driftPpm)
  }

  /** What this node's clock reads at virtual time `simNow`. */
  local(simNow: Millis): Millis {
    return simNow * this.rate + this.offsetMs
  }

  /**
   * The virtual time at which this node's clock reads `localTime`: the inverse of `local`, rounded so that
   * `local(toSim(x)) >= x` holds exactly. A node's deadline converted to virtual time must not wake it a
   * float's hair early, or a host that re-arms a deadline not yet due would spin on the same instant.
   */
  toSim(localTime: Millis): Millis {
    let sim = (localTime - this.offsetMs) / this.rate
    // one or two steps of an ulp at most: the division and the multiplication each round once
    while (this.local(sim) < localTime) sim += Math.max(Math.abs(sim) * Number.EPSILON, Number.MIN_VALUE)
    return sim
  }
}
