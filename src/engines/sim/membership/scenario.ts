/**
 * The options of a simulated membership run and how a seed turns into them.
 *
 * Explicit options (nodes, profile, loss, crashes, partition) come from the command line. With `swarm`,
 * the seed also draws its own fault mix (TigerBeetle VOPR's swarm testing): duplication, reordering,
 * jitter, clock skew, crashes with restarts, and partitions vary from seed to seed, so a suite of seeds
 * explores combinations nobody wrote down.
 */
import type { ConnectionClass, MembershipConfig } from '../../../protocols/membership/index.ts'

export interface LinkModel {
  readonly minMs: number
  readonly maxMs: number
  readonly jitterMs: number
}

/** One-way latencies per connection class (RTTs from shared/reference/tasks.md §8, halved). */
export const LINK_MODELS: Readonly<Record<ConnectionClass, LinkModel>> = Object.freeze({
  // same switch or rack: 0.2–1 ms round trips
  lan: { minMs: 0.1, maxMs: 0.5, jitterMs: 0.05 },
  // cable to transatlantic: 20–200 ms round trips
  wan: { minMs: 10, maxMs: 100, jitterMs: 5 },
  // LTE to regular 3G: 70–300 ms round trips, jitter 10–30 % of RTT
  mobile: { minMs: 35, maxMs: 150, jitterMs: 25 },
  // GEO satellite and worse: long, jittery paths
  hostile: { minMs: 20, maxMs: 300, jitterMs: 60 },
})

export interface MembershipScenario {
  readonly nodes: number
  readonly seed: number
  readonly profile: ConnectionClass
  /** Message loss during the whole fault window (steady state and crashes). */
  readonly lossRate: number
  readonly duplicateRate: number
  readonly reorderRate: number
  /** Nodes crashed one after another during the fault phase. */
  readonly crashes: number
  /** Probability that a departing node leaves gracefully (announces it) instead of crashing. */
  readonly leaveProbability: number
  /** Probability that a crashed node restarts with a fresh state, one crash spacing (2 s × profile scale) later. */
  readonly restartProbability: number
  readonly partition: boolean
  readonly partitionMode: 'symmetric' | 'asymmetric'
  /** How the cut is drawn: a 40 % minority (default), one node alone, a random size, or halves. */
  readonly partitionKind: 'minority' | 'isolate-single' | 'uniform-size' | 'halves'
  /** Jitter added on top of the profile's link jitter. */
  readonly extraJitterMs: number
  readonly clockOffsetMaxMs: number
  readonly clockDriftMaxPpm: number
  /** 'join': nodes start over a spread and join through seeds; 'converged': they start knowing everyone. */
  readonly start: 'join' | 'converged'
  /** Encode and decode every message (exercises the codec; slower). */
  readonly wire: boolean
  readonly swarm: boolean
  /** Quiet time before faults begin, in which false positives are still counted. */
  readonly steadyMs: number
  readonly config: Partial<MembershipConfig>
}

export const SCENARIO_DEFAULTS: Omit<MembershipScenario, 'nodes' | 'seed'> = Object.freeze({
  profile: 'lan',
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  crashes: 1,
  restartProbability: 0,
  leaveProbability: 0,
  partition: false,
  partitionMode: 'symmetric',
  partitionKind: 'minority',
  extraJitterMs: 0,
  clockOffsetMaxMs: 0,
  clockDriftMaxPpm: 0,
  start: 'join',
  wire: false,
  swarm: false,
  steadyMs: 10_000,
  config: {},
})
