/**
 * Which passive peer to ask next, as pure functions of the views: the part of the overlay that is
 * Meshwork's rather than HyParView's (Leitão, Pereira, Rodrigues, DSN 2007), whose repairs pick a passive
 * peer uniformly at random.
 *
 * Two aims pull apart: random links keep the overlay an expander whose diameter grows with log n
 * (shared/reference/mesh.md §4: degree 4–6 plus 2 random long links floods a million nodes in 11–12
 * hops), near links make each hop cheap. So `longLinks` slots go to peers picked at random whatever
 * their RTT (X-BOT's unbiased neighbours; Leitão et al., SRDS 2009), and the other slots to the nearest
 * measured peers: a repair asks the nearest measured passive peer, and a swap replaces the farthest
 * replaceable neighbour by a clearly nearer one through X-BOT's four-node exchange (`overlay.ts`), which
 * keeps every degree. Only the swap that restores a short long-link quota is pairwise: a random passive
 * peer with a free slot takes the farthest near link's place, and the dropped neighbour refills its own
 * slot (one repair).
 */
import type { NodeId, Random } from '../../kernel/index.ts'
import type { ActiveView } from './active-view.ts'
import type { OverlayConfig } from './config.ts'
import type { PassiveView } from './passive-view.ts'

export interface Candidate {
  readonly peer: NodeId
  /** Picked at random (counts towards the long-link quota) rather than for its RTT. */
  readonly long: boolean
}

export interface Swap extends Candidate {
  /** The neighbour the candidate replaces once it accepts. */
  readonly replaces: NodeId
  /** Measured RTTs of the candidate and of `replaces` (NaN for a long-link pick, which ignores them). */
  readonly rttMs: number
  readonly replacesRttMs: number
}

/**
 * The passive peer to ask for a free active slot: a random one while the long-link quota is short, the
 * nearest measured one otherwise, and a random one when none is measured.
 */
export function repairCandidate(
  active: ActiveView,
  passive: PassiveView,
  config: OverlayConfig,
  excluded: (id: NodeId) => boolean,
): Candidate | undefined {
  if (active.longCount() >= config.longLinks) {
    const nearest = passive.nearest(excluded)
    if (nearest !== undefined) return { peer: nearest.id, long: false }
  }
  const peer = passive.pickRandom(excluded)
  return peer === undefined ? undefined : { peer, long: true }
}

/**
 * An improvement for a full active view, or undefined: while the long-link quota is short, a random
 * passive peer for the farthest near neighbour; otherwise the nearest measured passive peer for the
 * farthest replaceable neighbour (skipping those `kept`), if it is clearly nearer (below `optimizeRatio`
 * of its RTT and by at least `optimizeMinGainMs`).
 */
export function swapCandidate(
  active: ActiveView,
  passive: PassiveView,
  config: OverlayConfig,
  random: Random,
  excluded: (id: NodeId) => boolean,
  kept: (id: NodeId) => boolean = () => false,
): Swap | undefined {
  if (!active.isFull) return undefined
  if (active.longCount() < config.longLinks) {
    const replaces = active.farthestNear(random)
    const peer = passive.pickRandom(excluded)
    if (replaces === undefined || peer === undefined || kept(replaces)) return undefined
    return { peer, long: true, replaces, rttMs: Number.NaN, replacesRttMs: Number.NaN }
  }
  const farthest = active.farthestReplaceable(config.longLinks, kept)
  if (farthest === undefined) return undefined
  const nearest = passive.nearest(excluded)
  if (nearest === undefined) return undefined
  const clearlyNearer =
    nearest.rttMs < farthest.rttMs * config.optimizeRatio &&
    farthest.rttMs - nearest.rttMs >= config.optimizeMinGainMs
  if (!clearlyNearer) return undefined
  return {
    peer: nearest.id,
    long: false,
    replaces: farthest.id,
    rttMs: nearest.rttMs,
    replacesRttMs: farthest.rttMs,
  }
}
