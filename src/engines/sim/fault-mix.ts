/**
 * Swarm testing: every seed draws its own mix of faults, so a thousand seeds cover a thousand different
 * fault environments instead of one average one.
 *
 * Follows TigerBeetle's VOPR (`src/vopr.zig`), which derives packet loss, replay, partition mode and
 * symmetry, clock behaviour and crash rates from the seed, and Groce et al., "Swarm Testing" (ISSTA 2012):
 * switching a feature off entirely on some runs finds bugs that its constant background noise hides (a
 * duplicate-handling bug needs runs without loss to show up). So each dimension is first enabled with
 * `enableProbability` and only then drawn uniformly from its range.
 *
 * Departs from the VOPR's ranges: Meshwork's defaults are milder (loss ≤ 10 % rather than 30 %) because
 * membership must converge within a bounded simulated time in the liveness phase, and per-tick partition
 * churn is left to the runner; this module only says whether and how a run partitions.
 *
 * Each dimension draws from its own fork of the seed, so adding a dimension or changing one bound never
 * changes what the other dimensions draw.
 */
import type { Random } from '../../kernel/index.ts'
import type { PartitionMode } from './network.ts'
import type { PartitionKind } from './partition-groups.ts'

/** Upper bounds of the swarm; each default says why. */
export interface FaultMixBounds {
  /** @default 0.1 — SWIM tolerates a few % loss by design (indirect probes); 10 % is a bad Wi-Fi link. */
  maxLossRate: number
  /** @default 0.05 — duplicates are rare on real paths, but dedup bugs need only a few. */
  maxDuplicateRate: number
  /** @default 0.1 — enough reordering to break any protocol that assumes FIFO links. */
  maxReorderRate: number
  /** @default 2 — per-message jitter in ms; LAN jitter is well below, a loaded WAN link reaches it. */
  maxJitterMs: number
  /** @default 500 — clock offset each node may have, in ms: an unsynchronised machine after boot. */
  maxClockOffsetMs: number
  /** @default 200 — oscillator error in ppm: twice the usual ±100 ppm quartz tolerance. */
  maxClockDriftPpm: number
  /** @default 0.1 — share of nodes that crash during the fault phase; more would test only recovery. */
  maxCrashFraction: number
  /** @default 0.5 — chance that a crashed node comes back; half stay down to test removal. */
  maxRestartProbability: number
  /** @default 0.3 — share of seeds that partition; most runs should still test the connected case. */
  partitionProbability: number
  /** @default 0.5 — chance that each dimension is on at all (swarm testing). */
  enableProbability: number
}

export const DEFAULT_FAULT_MIX_BOUNDS: Readonly<FaultMixBounds> = {
  maxLossRate: 0.1,
  maxDuplicateRate: 0.05,
  maxReorderRate: 0.1,
  maxJitterMs: 2,
  maxClockOffsetMs: 500,
  maxClockDriftPpm: 200,
  maxCrashFraction: 0.1,
  maxRestartProbability: 0.5,
  partitionProbability: 0.3,
  enableProbability: 0.5,
}

/** The faults one seed runs with. A dimension that is switched off is exactly 0 (or `partition: false`). */
export interface FaultMix {
  lossRate: number
  duplicateRate: number
  reorderRate: number
  jitterMs: number
  /** Each node's clock offset is drawn from ±clockOffsetMaxMs. */
  clockOffsetMaxMs: number
  /** Each node's clock drift is drawn from ±clockDriftMaxPpm. */
  clockDriftMaxPpm: number
  /** Share of nodes that crash during the fault phase. */
  crashFraction: number
  /** Chance that a crashed node restarts. */
  restartProbability: number
  partition: boolean
  partitionMode: PartitionMode
  partitionKind: PartitionKind
}

const PARTITION_MODES: readonly PartitionMode[] = ['symmetric', 'asymmetric']
const PARTITION_KINDS: readonly PartitionKind[] = ['isolate-single', 'uniform-size', 'halves']

export function deriveFaultMix(random: Random, bounds: Partial<FaultMixBounds> = {}): FaultMix {
  const limits = validBounds({ ...DEFAULT_FAULT_MIX_BOUNDS, ...bounds })
  const ranged = (dimension: string, max: number): number => {
    const stream = random.fork(`fault-mix/${dimension}`)
    return stream.chance(limits.enableProbability) ? stream.float() * max : 0
  }
  const partitionStream = random.fork('fault-mix/partition')
  return {
    lossRate: ranged('loss', limits.maxLossRate),
    duplicateRate: ranged('duplicate', limits.maxDuplicateRate),
    reorderRate: ranged('reorder', limits.maxReorderRate),
    jitterMs: ranged('jitter', limits.maxJitterMs),
    clockOffsetMaxMs: ranged('clock-offset', limits.maxClockOffsetMs),
    clockDriftMaxPpm: ranged('clock-drift', limits.maxClockDriftPpm),
    crashFraction: ranged('crash', limits.maxCrashFraction),
    restartProbability: ranged('restart', limits.maxRestartProbability),
    partition: partitionStream.chance(limits.partitionProbability),
    // drawn even when `partition` is false, so the mode does not depend on the partition draw's outcome
    partitionMode: partitionStream.pick(PARTITION_MODES) as PartitionMode,
    partitionKind: partitionStream.pick(PARTITION_KINDS) as PartitionKind,
  }
}

/** One line for logs and replay messages, e.g. `loss 3.2% dup off … drift ±87ppm … partition asymmetric/halves`. */
export function describeFaultMix(mix: FaultMix): string {
  const percent = (rate: number): string => (rate === 0 ? 'off' : `${(rate * 100).toFixed(1)}%`)
  const amount = (value: number, unit: string, digits: number, sign = ''): string =>
    value === 0 ? 'off' : `${sign}${value.toFixed(digits)}${unit}`
  return [
    `loss ${percent(mix.lossRate)}`,
    `dup ${percent(mix.duplicateRate)}`,
    `reorder ${percent(mix.reorderRate)}`,
    `jitter ${amount(mix.jitterMs, 'ms', 2)}`,
    `offset ${amount(mix.clockOffsetMaxMs, 'ms', 0, '±')}`,
    `drift ${amount(mix.clockDriftMaxPpm, 'ppm', 0, '±')}`,
    `crash ${percent(mix.crashFraction)}`,
    `restart ${percent(mix.restartProbability)}`,
    `partition ${mix.partition ? `${mix.partitionMode}/${mix.partitionKind}` : 'off'}`,
  ].join(' ')
}

function validBounds(bounds: FaultMixBounds): FaultMixBounds {
  const probabilities = [
    'maxLossRate',
    'maxDuplicateRate',
    'maxReorderRate',
    'maxCrashFraction',
    'maxRestartProbability',
    'partitionProbability',
    'enableProbability',
  ] as const
  for (const name of probabilities) {
    const value = bounds[name]
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${value}`)
  }
  for (const name of ['maxJitterMs', 'maxClockOffsetMs'] as const) {
    const value = bounds[name]
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be ≥ 0, got ${value}`)
  }
  // drift of -1e6 ppm would stop a clock (see SkewedClock)
  const drift = bounds.maxClockDriftPpm
  if (!(drift >= 0 && drift < 1e6)) throw new RangeError(`maxClockDriftPpm must be in [0, 1e6), got ${drift}`)
  return bounds
}
