/**
 * How links behave on each connection class: the one table that the simulator draws its latencies from
 * and that the link shaper (fault injection on a real node) applies, so a shaped loopback cluster and a
 * simulated one of the same class see the same links. Figures from shared/reference/tasks.md §8, as
 * one-way delays (RTT / 2).
 *
 * A link's base delay is fixed per pair of nodes, uniform in `[minDelayMs, maxDelayMs]`; each message adds
 * |normal| · `jitterMs`. The simulator takes its loss from the scenario (a fault phase, then none); the
 * shaper applies `lossRate` and the bandwidth cap as well.
 */
import { type ConnectionClass, MeshError } from '../kernel/index.ts'

export interface LinkModel {
  readonly minDelayMs: number
  readonly maxDelayMs: number
  readonly jitterMs: number
  /** Probability that a message is lost. */
  readonly lossRate: number
  /** Bytes per second; 0 means unlimited. */
  readonly bandwidthBytesPerSecond: number
}

export const LINK_MODELS: Readonly<Record<ConnectionClass, LinkModel>> = Object.freeze({
  // same switch or rack: 0.2–1 ms round trips
  lan: { minDelayMs: 0.1, maxDelayMs: 0.5, jitterMs: 0.05, lossRate: 0, bandwidthBytesPerSecond: 0 },
  // cable to transatlantic: 20–200 ms round trips, 0.5 % loss
  wan: { minDelayMs: 10, maxDelayMs: 100, jitterMs: 5, lossRate: 0.005, bandwidthBytesPerSecond: 0 },
  // LTE to regular 3G: 70–300 ms round trips, jitter 10–30 % of RTT, 1 % loss, 9 Mbit/s (WebPageTest 4G)
  mobile: {
    minDelayMs: 35,
    maxDelayMs: 150,
    jitterMs: 25,
    lossRate: 0.01,
    bandwidthBytesPerSecond: 1_125_000,
  },
  // GEO satellite and worse, with heavy loss: a stress case rather than a real link (Jepsen-style)
  hostile: { minDelayMs: 20, maxDelayMs: 300, jitterMs: 60, lossRate: 0.1, bandwidthBytesPerSecond: 50_000 },
})

/** A link model applied by fault injection, to every peer or only to `peers`. */
export interface LinkShape extends LinkModel {
  readonly peers?: readonly string[]
}

/** Checks a shape; throws `MeshError('INVALID_ARGUMENT')` naming the bad field. */
export function validateLinkShape(shape: LinkShape): LinkShape {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new MeshError('INVALID_ARGUMENT', `link.${message}`)
  }
  const nonNegative = (value: number): boolean => Number.isFinite(value) && value >= 0
  check(nonNegative(shape.minDelayMs), `minDelayMs must be ≥ 0, got ${shape.minDelayMs}`)
  check(nonNegative(shape.maxDelayMs), `maxDelayMs must be ≥ 0, got ${shape.maxDelayMs}`)
  check(
    shape.maxDelayMs >= shape.minDelayMs,
    `maxDelayMs must be ≥ minDelayMs, got ${shape.maxDelayMs} < ${shape.minDelayMs}`,
  )
  check(nonNegative(shape.jitterMs), `jitterMs must be ≥ 0, got ${shape.jitterMs}`)
  check(shape.lossRate >= 0 && shape.lossRate <= 1, `lossRate must be in [0, 1], got ${shape.lossRate}`)
  check(
    nonNegative(shape.bandwidthBytesPerSecond),
    `bandwidthBytesPerSecond must be ≥ 0 (0 = unlimited), got ${shape.bandwidthBytesPerSecond}`,
  )
  return shape
}
