/**
 * Overlay settings and their presets, one per connection class.
 *
 * The view sizes and walk lengths are HyParView's (Leitão, Pereira, Rodrigues, DSN 2007, §4 and §5: the
 * values the paper evaluates on 10,000 nodes; hashicorp/hyparview's README repeats them). The timings are
 * Meshwork's: the paper runs in synchronous cycles and uses TCP as its failure detector, so it has no
 * heartbeat, no retry timing and no wall-clock shuffle period to copy. X-BOT's (Leitão et al., SRDS 2009)
 * optimisation period follows Partisan's minimum (5 s) at steady state; the fast first rounds and
 * shuffles are Meshwork's (`overlay.ts`).
 */
import { type ConnectionClass, MeshError } from '../../kernel/index.ts'

export interface OverlayConfig {
  /** Symmetric neighbours kept (the paper's active view: log10(n) + c with c = 1 → 5 for 10⁴ nodes). */
  readonly activeViewSize: number
  /** Replacement pool (the paper's passive view: k·(log10(n) + c) with k = 6 → 30). */
  readonly passiveViewSize: number
  /** Hops a FORWARD_JOIN walks before the node it reaches takes the joiner as a neighbour (ARWL). */
  readonly activeRandomWalkLength: number
  /** The hop count at which the walk also drops the joiner into the passive view (PRWL). */
  readonly passiveRandomWalkLength: number
  /** Active-view entries in a shuffle sample (k_a). */
  readonly shuffleActive: number
  /** Passive-view entries in a shuffle sample (k_p). */
  readonly shufflePassive: number
  /** Time between two shuffles this node starts, at steady state. */
  readonly shuffleIntervalMs: number
  /**
   * A node's first shuffle comes after about this long, and each next one twice as late, up to
   * `shuffleIntervalMs`: a new node's passive view, the pool that repairs and the optimisation draw on,
   * fills within seconds rather than tens of seconds.
   */
  readonly shuffleFastIntervalMs: number
  /** Active slots kept for neighbours reached at random (walks, random passive picks), whatever their RTT. */
  readonly longLinks: number
  /** A neighbour not heard from for this long is pinged; every message from it counts as hearing it. */
  readonly heartbeatIntervalMs: number
  /** A neighbour not heard from for this long has failed. */
  readonly heartbeatTimeoutMs: number
  /** How long a JOIN or NEIGHBOR request, or a probe of a passive peer, waits for its answer. */
  readonly neighborTimeoutMs: number
  /** Wait before trying the next contact after a JOIN went unanswered or was refused. */
  readonly joinRetryMs: number
  /** While the active view has a free slot, a round of promotion attempts starts this often. */
  readonly promoteIntervalMs: number
  /**
   * Below this many neighbours, a node whose last promotion round was refused throughout asks with high
   * priority (which full peers cannot refuse) instead of low.
   */
  readonly activeViewMin: number
  /** Refusals (low-priority requests to full peers) in one promotion round before it waits for the next. */
  readonly promoteAttemptsPerRound: number
  /**
   * Longest time between two optimisation rounds (a round probes up to `passiveScanLength` passive peers'
   * RTTs and may start an exchange that swaps a far neighbour for a nearer one): the steady state.
   */
  readonly optimizeIntervalMs: number
  /**
   * Shortest time between two rounds: the first round after the node starts, and the next one after an
   * exchange succeeded, come this soon; every round after which none has doubles the wait, up to
   * `optimizeIntervalMs`.
   */
  readonly optimizeFastIntervalMs: number
  /** Passive peers whose RTT one round probes (X-BOT's passive scan length, PSL). */
  readonly passiveScanLength: number
  /** A passive peer replaces a neighbour only if its RTT is below this share of the neighbour's. */
  readonly optimizeRatio: number
  /** …and at least this much lower, so LAN jitter never causes swaps. */
  readonly optimizeMinGainMs: number
  /**
   * Peers lost without a goodbye that are remembered and asked again (`dormant-peers.ts`), so the two
   * sides of a healed partition find each other; the oldest loss is displaced by a new one.
   */
  readonly maxDormantPeers: number
  /** The first reprobe of a lost peer comes about this long after the loss; each next one twice as late… */
  readonly reprobeBaseMs: number
  /**
   * …up to about this long. It bounds both how long a healed partition can stay unnoticed by a node that
   * remembers a peer across it, and the cost of peers that stay gone (`maxDormantPeers` pings per
   * interval); a node also opens at most one merge link (`overlay.ts`) per interval.
   */
  readonly reprobeMaxMs: number
}

/** What every connection class shares: the paper's sizes. */
const PAPER = {
  activeViewSize: 5,
  passiveViewSize: 30,
  activeRandomWalkLength: 6,
  passiveRandomWalkLength: 3,
  shuffleActive: 3,
  shufflePassive: 4,
  // shared/reference/mesh.md §4: degree 4–6 plus 2 random long links floods 1M nodes in 11–12 hops, where
  // a nearest-neighbour ring of degree 6 needs 166,667; two is what those figures were measured with
  longLinks: 2,
  // Partisan's minimum active view is half its maximum (3 of 6). Below it a node is two failures from
  // isolation, and a small component whose nodes hold only each other (a pair, at seed 20,071 on WAN
  // links) stays cut off for good if full peers may refuse it: the paper lets only an empty view insist.
  activeViewMin: 3,
  // Refused requests cost a message each way; three per round bounds the search traffic of a node whose
  // active view has a free slot while most peers' are full (the common steady state).
  promoteAttemptsPerRound: 3,
  // X-BOT (Leitão et al., SRDS 2009) swaps only for a clear gain; half the RTT is a clear gain.
  optimizeRatio: 0.5,
  // X-BOT's passive scan length: RTTs probed per round, two messages each. Partisan's X-BOT looks at two
  // passive peers a round; three measure a new node's passive view within its first fast rounds.
  passiveScanLength: 3,
  // A node loses about its active view (5) across a cut, and its measured passive peers there; eight
  // keep most of them, and at the cap cost at most eight pings per reprobe interval per node.
  maxDormantPeers: 8,
} as const

/**
 * LAN: sub-millisecond round trips. A heartbeat each second and failure after three silent seconds (two
 * lost pings in a row are tolerated) put crash detection at 3–4 s, inside the 5 s recovery target with
 * repair taking a few round trips; every node then sends about 5 small messages a second when idle
 * (one ping or pong per link per second). With membership wired in, its MemberFailed (< 1 s) and the
 * engine's connection-lost come first. The shuffle period is Partisan's 10 s: the shuffle refreshes the
 * replacement pool and is not on the repair path.
 */
export const LAN_OVERLAY: OverlayConfig = Object.freeze({
  ...PAPER,
  shuffleIntervalMs: 10_000,
  // first shuffles at about 0.5, 1.5, 3.5, 7.5 s: the passive view fills while the node joins
  shuffleFastIntervalMs: 500,
  heartbeatIntervalMs: 1_000,
  heartbeatTimeoutMs: 3_000,
  // 250 round trips of the slowest LAN link: a peer that has not answered is dead or overloaded
  neighborTimeoutMs: 250,
  joinRetryMs: 500,
  // Partisan's random promotion runs every 5 s; a free slot costs the overlay redundancy, so sooner
  promoteIntervalMs: 2_000,
  optimizeIntervalMs: 5_000,
  optimizeFastIntervalMs: 250,
  optimizeMinGainMs: 0.2,
  // a lost peer is asked again after about 1, 2, 4, 8, 16 and then every 30 s: a short cut heals within
  // seconds, a long one within half a minute (the 5 s recovery target needs many nodes remembering,
  // and a partition of n nodes has about 5·n/2 lost links, each remembered at both ends)
  reprobeBaseMs: 1_000,
  reprobeMaxMs: 30_000,
})

/** WAN: 20–200 ms round trips. Twice LAN's heartbeat, and requests wait for the slowest links. */
export const WAN_OVERLAY: OverlayConfig = Object.freeze({
  ...PAPER,
  shuffleIntervalMs: 10_000,
  // a shuffle walk of six hops takes about half a second here
  shuffleFastIntervalMs: 500,
  heartbeatIntervalMs: 2_000,
  heartbeatTimeoutMs: 6_000,
  neighborTimeoutMs: 1_500,
  joinRetryMs: 2_000,
  promoteIntervalMs: 5_000,
  // X-BOT pays most across regions: at steady state probe and swap as often as Partisan's X-BOT
  // minimum (5 s); a node that just started or filled its view, or whose last swap succeeded, every
  // quarter second, doubling while nothing improves
  optimizeIntervalMs: 5_000,
  optimizeFastIntervalMs: 250,
  optimizeMinGainMs: 10,
  reprobeBaseMs: 2_000,
  reprobeMaxMs: 30_000,
})

/** Mobile: 70–300 ms round trips with large jitter and sleeping radios; fewer wake-ups save battery. */
export const MOBILE_OVERLAY: OverlayConfig = Object.freeze({
  ...PAPER,
  shuffleIntervalMs: 30_000,
  shuffleFastIntervalMs: 5_000,
  heartbeatIntervalMs: 5_000,
  heartbeatTimeoutMs: 15_000,
  neighborTimeoutMs: 3_000,
  joinRetryMs: 5_000,
  promoteIntervalMs: 10_000,
  optimizeIntervalMs: 30_000,
  optimizeFastIntervalMs: 2_000,
  optimizeMinGainMs: 30,
  // radios sleep: reprobes as rare as the shuffle
  reprobeBaseMs: 10_000,
  reprobeMaxMs: 120_000,
})

/** Hostile: heavy loss. Failure only after four silent intervals, so loss alone rarely breaks a link. */
export const HOSTILE_OVERLAY: OverlayConfig = Object.freeze({
  ...PAPER,
  shuffleIntervalMs: 20_000,
  shuffleFastIntervalMs: 4_000,
  heartbeatIntervalMs: 2_000,
  heartbeatTimeoutMs: 8_000,
  neighborTimeoutMs: 3_000,
  joinRetryMs: 2_000,
  promoteIntervalMs: 5_000,
  optimizeIntervalMs: 20_000,
  optimizeFastIntervalMs: 2_000,
  optimizeMinGainMs: 30,
  // loss alone often fails two pings in a row here, so a revival is weaker evidence of a heal: rarer
  reprobeBaseMs: 4_000,
  reprobeMaxMs: 60_000,
})

export const OVERLAY_PRESETS: Readonly<Record<ConnectionClass, OverlayConfig>> = Object.freeze({
  lan: LAN_OVERLAY,
  wan: WAN_OVERLAY,
  mobile: MOBILE_OVERLAY,
  hostile: HOSTILE_OVERLAY,
})

/** Most ids one shuffle message may carry (`codec.ts` refuses longer samples). */
export const MAX_SAMPLE_IDS = 64
/** Bounds on the counts, so a configuration cannot ask a node to hold large views by mistake. */
const MAX_ACTIVE_VIEW = 64
const MAX_PASSIVE_VIEW = 1_024
/** A TTL travels as one byte. */
const MAX_WALK_LENGTH = 255

/** Ids a shuffle reply carries: as many as a full request would (hashicorp/hyparview does the same). */
export function shuffleSampleSize(config: OverlayConfig): number {
  return config.shuffleActive + config.shufflePassive + 1
}

/** A preset with overrides, validated. Throws `MeshError('INVALID_CONFIG')` naming the bad field. */
export function overlayConfig(
  preset: ConnectionClass = 'lan',
  overrides: Partial<OverlayConfig> = {},
): OverlayConfig {
  const config: OverlayConfig = { ...OVERLAY_PRESETS[preset], ...overrides }
  const fail = (key: keyof OverlayConfig, message: string): never => {
    throw new MeshError('INVALID_CONFIG', `overlay.${key} ${message}, got ${config[key]}`, { key })
  }
  const integer = (key: keyof OverlayConfig, min: number, max: number): void => {
    const value = config[key]
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      fail(key, `must be an integer from ${min} to ${max}`)
    }
  }
  integer('activeViewSize', 1, MAX_ACTIVE_VIEW)
  integer('passiveViewSize', 0, MAX_PASSIVE_VIEW)
  integer('activeRandomWalkLength', 0, MAX_WALK_LENGTH)
  integer('passiveRandomWalkLength', 0, config.activeRandomWalkLength)
  integer('shuffleActive', 0, MAX_SAMPLE_IDS)
  integer('shufflePassive', 0, MAX_SAMPLE_IDS)
  integer('longLinks', 0, config.activeViewSize)
  integer('activeViewMin', 0, config.activeViewSize)
  integer('promoteAttemptsPerRound', 1, 1_000)
  integer('passiveScanLength', 0, MAX_PASSIVE_VIEW)
  integer('maxDormantPeers', 0, MAX_PASSIVE_VIEW)
  if (shuffleSampleSize(config) > MAX_SAMPLE_IDS) {
    fail('shufflePassive', `plus shuffleActive must stay below ${MAX_SAMPLE_IDS} (the wire limit)`)
  }
  const positive: (keyof OverlayConfig)[] = [
    'shuffleIntervalMs',
    'shuffleFastIntervalMs',
    'heartbeatIntervalMs',
    'heartbeatTimeoutMs',
    'neighborTimeoutMs',
    'joinRetryMs',
    'promoteIntervalMs',
    'optimizeIntervalMs',
    'optimizeFastIntervalMs',
    'reprobeBaseMs',
    'reprobeMaxMs',
  ]
  for (const key of positive) {
    const value = config[key]
    if (!(Number.isFinite(value) && value > 0)) fail(key, 'must be a positive number of milliseconds')
  }
  if (config.heartbeatTimeoutMs <= config.heartbeatIntervalMs) {
    fail('heartbeatTimeoutMs', 'must exceed heartbeatIntervalMs (a single late ping must not fail a link)')
  }
  if (config.shuffleFastIntervalMs > config.shuffleIntervalMs) {
    fail('shuffleFastIntervalMs', 'must not exceed shuffleIntervalMs')
  }
  if (config.optimizeFastIntervalMs > config.optimizeIntervalMs) {
    fail('optimizeFastIntervalMs', 'must not exceed optimizeIntervalMs')
  }
  if (config.reprobeBaseMs > config.reprobeMaxMs) fail('reprobeBaseMs', 'must not exceed reprobeMaxMs')
  if (!(config.optimizeRatio > 0 && config.optimizeRatio <= 1)) fail('optimizeRatio', 'must be in (0, 1]')
  if (!(Number.isFinite(config.optimizeMinGainMs) && config.optimizeMinGainMs >= 0)) {
    fail('optimizeMinGainMs', 'must be a non-negative number of milliseconds')
  }
  return Object.freeze(config)
}
