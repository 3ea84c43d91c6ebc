/**
 * Anti-entropy settings: how often a node compares its objects with a neighbour, how much a session may
 * hold and send, and the reconciliation's branching (`RbsrConfig`). Each default says why it is what it
 * is; `bench/reconciliation.ts` measures the reconciliation ones at 100,000 items.
 */
import { MeshError } from '../../kernel/index.ts'
import { MAX_FINGERPRINT_BYTES, MIN_FINGERPRINT_BYTES } from './range-fingerprint.ts'

export interface RbsrConfig {
  /**
   * Bytes of a range fingerprint (`range-fingerprint.ts`); Negentropy's 16 would cost most of the bytes
   * of a reconciliation, while 4 bytes with a per-session salt miss a difference with odds of 2^-32 per
   * equal-count comparison, and the next session finds it.
   */
  readonly fingerprintBytes: number
  /** The first message splits the whole space into 2^rootChildBits ranges (Negentropy's 16). */
  readonly rootChildBits: number
  /**
   * A mismatched range is split into between 2^minChildBits and 2^maxChildBits children, enough for
   * `splitFactor` children per difference it is estimated to hold (`estimate.ts`): fewer children per
   * difference leave two differences in one child more often, which costs a round trip; more cost a
   * fingerprint each. 256 children at most keep one split within a few kilobytes.
   */
  readonly minChildBits: number
  readonly maxChildBits: number
  readonly splitFactor: number
  /**
   * Answer a mismatched range with its sum (a cell) when the counts differ by one and it is estimated to
   * hold at most this many differences; a cell that does not decode costs a round trip.
   */
  readonly cellMaxExpected: number
  /** Whether to send cells at all (false: fingerprints and id lists only, as in Negentropy). */
  readonly cells: boolean
  /** List one's ids for a mismatched range when one holds at most this many there. */
  readonly idListThreshold: number
  /**
   * List them when one holds at most this many and the range is known to hold two differences or more
   * (equal counts, or a cell that did not decode): a few ids listed cost less than the round trips of
   * splitting until the two fall apart.
   */
  readonly impureIdListThreshold: number
  /**
   * Bytes of one message, never exceeded: ranges that do not fit are asked about again, whole, in a
   * later round. 64 KiB fits a 1,000-difference round among 100,000 items (`bench/reconciliation.ts`).
   */
  readonly maxMessageBytes: number
  /** Ids a reconciliation may learn it lacks; beyond, the peer is not believed and the rest is dropped. */
  readonly maxNeed: number
}

export const DEFAULT_RBSR_CONFIG: RbsrConfig = Object.freeze({
  fingerprintBytes: 4,
  rootChildBits: 4,
  minChildBits: 1,
  maxChildBits: 8,
  splitFactor: 4,
  cellMaxExpected: 2,
  cells: true,
  idListThreshold: 1,
  impureIdListThreshold: 4,
  maxMessageBytes: 65_536,
  maxNeed: 100_000,
})

/** The largest split a message may carry: 1,024 children. */
export const MAX_CHILD_BITS = 10

export function rbsrConfig(overrides: Partial<RbsrConfig> = {}): RbsrConfig {
  const config = { ...DEFAULT_RBSR_CONFIG, ...overrides }
  const invalid = (name: string, rule: string): never => {
    throw new MeshError('INVALID_CONFIG', `reconciliation ${name} must be ${rule}`, {
      name,
      value: (config as Record<string, unknown>)[name],
    })
  }
  const integerIn = (name: keyof RbsrConfig, min: number, max: number): void => {
    const value = config[name]
    if (!(Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max)) {
      invalid(name, `an integer in [${min}, ${max}]`)
    }
  }
  integerIn('fingerprintBytes', MIN_FINGERPRINT_BYTES, MAX_FINGERPRINT_BYTES)
  integerIn('rootChildBits', 1, MAX_CHILD_BITS)
  integerIn('minChildBits', 1, MAX_CHILD_BITS)
  integerIn('maxChildBits', config.minChildBits, MAX_CHILD_BITS)
  integerIn('idListThreshold', 0, 1_024)
  integerIn('impureIdListThreshold', 0, 1_024)
  integerIn('maxMessageBytes', 4_096, 16 * 1_048_576)
  integerIn('maxNeed', 1, 100_000_000)
  if (!(config.splitFactor > 0 && config.splitFactor <= 1_024)) invalid('splitFactor', 'in (0, 1024]')
  if (!(config.cellMaxExpected >= 1)) invalid('cellMaxExpected', 'at least 1')
  // one split, or its children asked again one by one, must take at most an eighth of a message, so
  // that a message always has room to answer its first question in full (`rbsr.ts`)
  const widest = 2 ** Math.max(config.maxChildBits, config.rootChildBits)
  if (widest * (16 + config.fingerprintBytes) > config.maxMessageBytes / 8) {
    invalid(
      'maxChildBits',
      'small enough that a split of 2^maxChildBits children takes an eighth of maxMessageBytes',
    )
  }
  return Object.freeze(config)
}

export interface AntiEntropyConfig {
  /**
   * A session with a random neighbour starts every `intervalMs`, jittered uniformly over ±50 % so that
   * neighbours do not fall into step. 2 s is Akka Distributed Data's gossip interval; with deltas
   * broadcast first, anti-entropy only repairs what broadcast lost (`shared/reference/state.md` §8).
   */
  readonly intervalMs: number
  /** A session idle this long is dropped and counted; well above a few round trips on any link. */
  readonly sessionTimeoutMs: number
  /** Sessions held at once, both those started here and those answered (a peer cannot hold more). */
  readonly maxSessions: number
  /** Sessions started here at once: one more waits for the next interval. */
  readonly maxInitiatedSessions: number
  /** Messages one session may exchange before it is dropped (4 round trips are the target; 8 leave room). */
  readonly maxSessionMessages: number
  /** Objects named in one digest; a node with more sends a random sample each time. */
  readonly maxDigestObjects: number
  readonly maxNameBytes: number
  /** Bytes of one frame. Objects reconciled at once in a session: maxFrameBytes ÷ maxMessageBytes. */
  readonly maxFrameBytes: number
  /** Item indexes kept between sessions, for objects that did not change (`antientropy.ts`). */
  readonly indexCacheSize: number
}

export const DEFAULT_ANTI_ENTROPY_CONFIG: AntiEntropyConfig = Object.freeze({
  intervalMs: 2_000,
  sessionTimeoutMs: 10_000,
  maxSessions: 16,
  maxInitiatedSessions: 2,
  maxSessionMessages: 16,
  maxDigestObjects: 256,
  maxNameBytes: 256,
  maxFrameBytes: 1_048_576,
  indexCacheSize: 8,
})

export function antiEntropyConfig(overrides: Partial<AntiEntropyConfig> = {}): AntiEntropyConfig {
  const config = { ...DEFAULT_ANTI_ENTROPY_CONFIG, ...overrides }
  for (const [name, value] of Object.entries(config)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new MeshError('INVALID_CONFIG', `anti-entropy ${name} must be a positive integer, got ${value}`, {
        name,
        value,
      })
    }
  }
  if (config.maxInitiatedSessions > config.maxSessions) {
    throw new MeshError('INVALID_CONFIG', 'anti-entropy maxInitiatedSessions must not exceed maxSessions', {
      maxInitiatedSessions: config.maxInitiatedSessions,
      maxSessions: config.maxSessions,
    })
  }
  return Object.freeze(config)
}
