/**
 * Time as plain numbers of milliseconds. Protocol cores never read a clock: the engine passes `now` in.
 * The simulator's clock is virtual; the libp2p engine's is the process's monotonic clock.
 */

/** A point in time or a duration, in milliseconds. Fractions are allowed (sub-millisecond link latencies). */
export type Millis = number

/** Something that tells the time. Only engines implement it; cores receive `now` as an argument. */
export interface Clock {
  now(): Millis
}

export const MS_PER_SECOND = 1000
export const MS_PER_MINUTE = 60_000
export const MS_PER_HOUR = 3_600_000

export function seconds(count: number): Millis {
  return count * MS_PER_SECOND
}

export function minutes(count: number): Millis {
  return count * MS_PER_MINUTE
}

/** The earlier of two optional deadlines; `undefined` means "no deadline". */
export function earliest(a: Millis | undefined, b: Millis | undefined): Millis | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a < b ? a : b
}
