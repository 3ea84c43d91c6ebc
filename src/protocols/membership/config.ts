/**
 * Membership timings and their presets, one per connection class.
 *
 * Modelled on memberlist's `config.go` (DefaultLANConfig / DefaultWANConfig / DefaultLocalConfig): every
 * default states why it has that value. The LAN preset is far faster than memberlist's LAN defaults
 * (probe every 1 s, suspicion ≥ 4·log10(n) s, so > 12 s to detect a crash at 1,000 nodes) because
 * Meshwork's target is "every live member knows of a crash within 1 s at 1,000 nodes". Three changes
 * make that affordable: probe timeouts adapt to each link's measured round trip instead of a fixed
 * 500 ms, updates are pushed the moment they are learned instead of waiting for a 200 ms gossip tick,
 * and a new suspicion is verified at once by a few members (see `membership.ts`), so Lifeguard's
 * confirmations arrive in one round trip instead of several probe periods.
 */
import { type ConnectionClass, MeshError } from '../../kernel/index.ts'

export interface MembershipConfig {
  /** Time between the starts of two probe rounds (scaled by local health). */
  readonly probeIntervalMs: number
  /** Floor of the adaptive probe timeout: covers scheduling hiccups and GC pauses, not the wire. */
  readonly probeTimeoutMinMs: number
  /** Timeout before any round trip was measured, and the ceiling of the adaptive timeout. */
  readonly probeTimeoutMaxMs: number
  /** Members asked to probe indirectly after a direct probe times out (SWIM's k). */
  readonly indirectChecks: number
  /** Minimum suspicion timeout is `suspicionBaseMs × max(1, log10 n)`, as in memberlist. */
  readonly suspicionBaseMs: number
  /** Maximum suspicion timeout (no confirmations) as a multiple of the minimum (Lifeguard). */
  readonly suspicionMaxMultiplier: number
  /** Independent confirmations after which the suspicion timeout has shrunk to its minimum. */
  readonly suspicionConfirmations: number
  /** Expected number of members that verify a new suspicion with a probe of their own. */
  readonly verifyProbes: number
  /** Each update is sent `retransmitMultiplier × ceil(log10(n + 1))` times by every node (λ·log n). */
  readonly retransmitMultiplier: number
  /** Period of the gossip flush while updates are queued; new updates are also pushed at once. */
  readonly gossipIntervalMs: number
  /** Members each gossip flush goes to. */
  readonly gossipFanout: number
  /** Byte budget for updates in one gossip message or piggybacked on one ping or ack. */
  readonly maxGossipBytes: number
  /** Base period of the full-state anti-entropy exchange, scaled up for large n as in memberlist. */
  readonly pushPullIntervalMs: number
  /** Period of the reconnect probe sent to one random failed member, which heals partitions. */
  readonly reconnectIntervalMs: number
  /** How long a failed member is remembered (and reconnect-probed) before it is removed. */
  readonly reapFailedAfterMs: number
  /** How long a member that left gracefully is remembered, so stale gossip cannot revive it. */
  readonly reapLeftAfterMs: number
  /** Lifeguard's local health multiplier ceiling: probe interval and timeout scale up to this factor. */
  readonly awarenessMax: number
  /** `PartitionDetected` when the share of reachable members falls below this, healed when back. */
  readonly partitionQuorum: number
  /** Interval between join attempts while no seed has answered. */
  readonly joinRetryMs: number
  /** Bound on the member table; records of unknown members beyond it are refused and counted. */
  readonly maxMembers: number
  /** Bound on queued gossip updates; the most-sent are dropped first and counted. */
  readonly maxQueuedUpdates: number
  /**
   * Time between probe rounds once the view has been quiet for `quietAfterMs`: every round then goes to
   * the ring successor (`prober.ts`). Equal to `probeIntervalMs`, a quiet cluster probes as any other.
   */
  readonly quietProbeIntervalMs: number
  /** How long the view must go unchanged, with no member suspected, before probing slows down. */
  readonly quietAfterMs: number
}

const COMMON = {
  // Lifeguard's measured sweet spot: 3 helpers give independent paths without flooding the target.
  indirectChecks: 3,
  // memberlist: SuspicionMaxTimeoutMult = 6.
  suspicionMaxMultiplier: 6,
  // memberlist uses SuspicionMult − 2 = 2; one more makes a lone lossy link unable to convict alone.
  suspicionConfirmations: 3,
  // Three times the confirmations needed. The number of verifiers is about Poisson(verifyProbes): at 6,
  // fewer than 3 came 6.2 % of the time and the suspicion waited for random probes to confirm it, which a
  // quiet cluster has few of (ADR 0013: 1,000 nodes, crashes into a quiet cluster, p99 993 ms); at 9,
  // 0.6 % of the time.
  verifyProbes: 9,
  // memberlist: AwarenessMaxMultiplier = 8.
  awarenessMax: 8,
  // Losing a quarter of the cluster at once is not an ordinary crash; 2|3 of five is seen on both sides.
  partitionQuorum: 0.75,
  // 1,000,000 members fit; a bigger realm needs the hierarchical overlay of a later capability.
  maxMembers: 1_000_000,
  maxQueuedUpdates: 16_384,
  // A failed member may come back after a partition; keep it (and keep knocking) for ten minutes.
  reapFailedAfterMs: 600_000,
  // After a change (a join, a suspicion, a failure), two seconds at the usual pace before probing slows
  // (where a preset slows it at all): long enough for the news to have spread (λ·log n transmissions at
  // LAN's 50 ms flushes), short enough for an idle cluster to be quiet soon.
  quietAfterMs: 2_000,
} as const

/**
 * LAN: one data centre or one building. Round trips under 1 ms, rare loss. Probing 10 times a second
 * costs each node ~20 small messages a second, which a LAN does not notice; a quiet cluster probes under
 * three times a second (ADR 0013), which keeps an idle node under 1 % of a core.
 */
export const LAN_CONFIG: MembershipConfig = Object.freeze({
  ...COMMON,
  probeIntervalMs: 100,
  // Node.js processes see 10–40 ms event-loop stalls under GC; 50 ms keeps those from looking like failures.
  probeTimeoutMinMs: 50,
  probeTimeoutMaxMs: 500,
  suspicionBaseMs: 100,
  retransmitMultiplier: 4,
  gossipIntervalMs: 50,
  gossipFanout: 3,
  // memberlist's UDP budget (1,400 B); the stream transport could carry more, but small is fair.
  maxGossipBytes: 1_400,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 500,
  reapLeftAfterMs: 30_000,
  joinRetryMs: 500,
  // A quiet cluster needs no round-robin probes: its ring monitor alone probes each member this often,
  // near the bound alternating at 100 ms gave (a monitor probe every 200 ms) at 29 % of the probes,
  // which is what lets an idle node stay under 1 % of a core (300 ms measured 1.1 %, 350 ms 0.8 %).
  quietProbeIntervalMs: 350,
})

/**
 * WAN: across regions. Round trips of 20–300 ms and occasional loss; bandwidth costs money. memberlist
 * WAN probes every 5 s; adaptive timeouts let us probe every second without false alarms.
 */
export const WAN_CONFIG: MembershipConfig = Object.freeze({
  ...COMMON,
  probeIntervalMs: 1_000,
  probeTimeoutMinMs: 200,
  probeTimeoutMaxMs: 3_000,
  suspicionBaseMs: 1_000,
  retransmitMultiplier: 4,
  gossipIntervalMs: 200,
  gossipFanout: 4,
  maxGossipBytes: 1_400,
  pushPullIntervalMs: 60_000,
  reconnectIntervalMs: 2_000,
  reapLeftAfterMs: 60_000,
  joinRetryMs: 2_000,
  // probing keeps its pace: across regions the round-robin probes also measure every link
  quietProbeIntervalMs: 1_000,
})

/**
 * Mobile: phones and laptops on cellular links. Round trips of 50–600 ms with large jitter, radios that
 * sleep, 1–5 % loss. Slower probing saves battery; longer suspicion tolerates a radio waking up.
 */
export const MOBILE_CONFIG: MembershipConfig = Object.freeze({
  ...COMMON,
  probeIntervalMs: 2_000,
  probeTimeoutMinMs: 500,
  probeTimeoutMaxMs: 5_000,
  suspicionBaseMs: 2_000,
  retransmitMultiplier: 5,
  gossipIntervalMs: 500,
  gossipFanout: 3,
  maxGossipBytes: 1_400,
  pushPullIntervalMs: 120_000,
  reconnectIntervalMs: 5_000,
  reapLeftAfterMs: 120_000,
  joinRetryMs: 5_000,
  // probing keeps its pace: at one round every two seconds there is nothing left to save
  quietProbeIntervalMs: 2_000,
})

/**
 * Hostile: heavy loss (≥ 10 %), asymmetric paths, middleboxes. More indirect paths and more
 * retransmissions buy delivery; long suspicion buys time for refutations to get through.
 */
export const HOSTILE_CONFIG: MembershipConfig = Object.freeze({
  ...COMMON,
  probeIntervalMs: 1_000,
  probeTimeoutMinMs: 300,
  probeTimeoutMaxMs: 3_000,
  indirectChecks: 5,
  suspicionBaseMs: 2_000,
  suspicionMaxMultiplier: 8,
  retransmitMultiplier: 6,
  gossipIntervalMs: 200,
  gossipFanout: 4,
  maxGossipBytes: 1_400,
  pushPullIntervalMs: 60_000,
  reconnectIntervalMs: 2_000,
  reapLeftAfterMs: 120_000,
  joinRetryMs: 2_000,
  // probing keeps its pace: with this much loss, every round-robin probe is a second opinion
  quietProbeIntervalMs: 1_000,
})

export const PRESETS: Readonly<Record<ConnectionClass, MembershipConfig>> = Object.freeze({
  lan: LAN_CONFIG,
  wan: WAN_CONFIG,
  mobile: MOBILE_CONFIG,
  hostile: HOSTILE_CONFIG,
})

/** A preset with overrides, validated. Throws `MeshError('INVALID_CONFIG')` naming the bad field. */
export function membershipConfig(
  preset: ConnectionClass = 'lan',
  overrides: Partial<MembershipConfig> = {},
): MembershipConfig {
  const config = { ...PRESETS[preset], ...overrides }
  const positive: (keyof MembershipConfig)[] = [
    'probeIntervalMs',
    'probeTimeoutMinMs',
    'probeTimeoutMaxMs',
    'suspicionBaseMs',
    'suspicionMaxMultiplier',
    'retransmitMultiplier',
    'gossipIntervalMs',
    'gossipFanout',
    'maxGossipBytes',
    'pushPullIntervalMs',
    'reconnectIntervalMs',
    'reapFailedAfterMs',
    'reapLeftAfterMs',
    'awarenessMax',
    'joinRetryMs',
    'maxMembers',
    'maxQueuedUpdates',
    'quietProbeIntervalMs',
    'quietAfterMs',
  ]
  for (const key of positive) {
    const value = config[key]
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new MeshError('INVALID_CONFIG', `membership.${key} must be a positive number, got ${value}`, {
        key,
      })
    }
  }
  for (const key of ['indirectChecks', 'suspicionConfirmations', 'verifyProbes'] as const) {
    const value = config[key]
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new MeshError(
        'INVALID_CONFIG',
        `membership.${key} must be a non-negative integer, got ${value}`,
        { key },
      )
    }
  }
  if (config.probeTimeoutMinMs > config.probeTimeoutMaxMs) {
    throw new MeshError('INVALID_CONFIG', 'membership.probeTimeoutMinMs must not exceed probeTimeoutMaxMs', {
      key: 'probeTimeoutMinMs',
    })
  }
  if (config.quietProbeIntervalMs < config.probeIntervalMs) {
    throw new MeshError(
      'INVALID_CONFIG',
      'membership.quietProbeIntervalMs must not be below probeIntervalMs (a quiet cluster probes less, not more)',
      { key: 'quietProbeIntervalMs' },
    )
  }
  if (!(config.partitionQuorum > 0 && config.partitionQuorum <= 1)) {
    throw new MeshError(
      'INVALID_CONFIG',
      `membership.partitionQuorum must be in (0, 1], got ${config.partitionQuorum}`,
      {
        key: 'partitionQuorum',
      },
    )
  }
  return Object.freeze(config)
}
