/**
 * The options of a simulated membership run and how a seed turns into them.
 *
 * Explicit options (nodes, connection class, loss, crashes, partition) come from the command line. With `swarm`,
 * the seed also draws its own fault mix (TigerBeetle VOPR's swarm testing): duplication, reordering,
 * jitter, clock skew, crashes with restarts, and partitions vary from seed to seed, so a suite of seeds
 * explores combinations nobody wrote down.
 */
import type { ConnectionClass } from '../../../kernel/index.ts'
import type { MembershipConfig } from '../../../protocols/membership/index.ts'

export interface MembershipScenario {
  readonly nodes: number
  readonly seed: number
  /** Membership timings and link latencies (`node/link-models.ts`). */
  readonly connectionClass: ConnectionClass
  /** Message loss during the whole fault window (steady state and crashes). */
  readonly lossRate: number
  readonly duplicateRate: number
  readonly reorderRate: number
  /** Nodes crashed one after another during the fault phase. */
  readonly crashes: number
  /**
   * Time between two crashes (× the class's scale). At the default 2 s a crash meets a cluster still busy
   * with the last one; longer spacings meet a quiet one, whose probing has slowed (ADR 0013).
   */
  readonly crashSpacingMs: number
  /** Probability that a departing node leaves gracefully (announces it) instead of crashing. */
  readonly leaveProbability: number
  /** Probability that a crashed node restarts with a fresh state, one crash spacing later. */
  readonly restartProbability: number
  readonly partition: boolean
  readonly partitionMode: 'symmetric' | 'asymmetric'
  /** How the cut is drawn: a 40 % minority (default), one node alone, a random size, or halves. */
  readonly partitionKind: 'minority' | 'isolate-single' | 'uniform-size' | 'halves'
  /** Jitter added on top of the link model's jitter. */
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
  connectionClass: 'lan',
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  crashes: 1,
  crashSpacingMs: 2_000,
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
