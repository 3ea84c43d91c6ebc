/**
 * Link shaping at the frame layer, for chaos on machines without `tc netem` (containers, CI runners):
 * per-peer delay, jitter, loss and a bandwidth cap on outgoing frames, as Toxiproxy's latency, bandwidth
 * and timeout toxics do for TCP. Egress only, like netem: shape both ends to shape a link both ways.
 *
 * Decisions are drawn from a seeded generator, so a shaped run repeats. Frames to one peer leave in the
 * order they were sent (no reordering): each departure is at least the previous one, and the bandwidth
 * cap is a token bucket expressed as "the link is busy until t".
 */
import { MeshError, Random } from '../../kernel/index.ts'
import type { LinkShape } from '../../node/running-node.ts'

/** Named link profiles; figures from shared/reference/tasks.md §8 (one-way delay = RTT / 2). */
export const LINK_PROFILES = Object.freeze({
  lan: { delayMs: 0.25, jitterMs: 0.1, lossRate: 0, bandwidthBytesPerSecond: 0 },
  // cable to transatlantic, 100 ms RTT, 0.5 % loss
  wan: { delayMs: 50, jitterMs: 10, lossRate: 0.005, bandwidthBytesPerSecond: 0 },
  // WebPageTest 4G: 170 ms RTT, 9 Mbit/s; jitter about 15 % of RTT
  'mobile-4g': { delayMs: 85, jitterMs: 25, lossRate: 0.01, bandwidthBytesPerSecond: 1_125_000 },
  // Regular 3G: 300 ms RTT, 1.6 Mbit/s down / 768 kbit/s up (the uplink is what a sender sees)
  '3g': { delayMs: 150, jitterMs: 45, lossRate: 0.015, bandwidthBytesPerSecond: 96_000 },
  // GEO satellite RTT with heavy loss: a stress case, not a real link (Jepsen-style)
  hostile: { delayMs: 300, jitterMs: 100, lossRate: 0.1, bandwidthBytesPerSecond: 50_000 },
} satisfies Record<string, Omit<LinkShape, 'peers'>>)

export type LinkProfileName = keyof typeof LINK_PROFILES

export function isLinkProfileName(value: string): value is LinkProfileName {
  return Object.hasOwn(LINK_PROFILES, value)
}

export function validateLinkShape(shape: LinkShape): LinkShape {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new MeshError('INVALID_ARGUMENT', `link.${message}`)
  }
  check(Number.isFinite(shape.delayMs) && shape.delayMs >= 0, `delayMs must be ≥ 0, got ${shape.delayMs}`)
  check(Number.isFinite(shape.jitterMs) && shape.jitterMs >= 0, `jitterMs must be ≥ 0, got ${shape.jitterMs}`)
  check(shape.lossRate >= 0 && shape.lossRate <= 1, `lossRate must be in [0, 1], got ${shape.lossRate}`)
  check(
    Number.isFinite(shape.bandwidthBytesPerSecond) && shape.bandwidthBytesPerSecond >= 0,
    `bandwidthBytesPerSecond must be ≥ 0 (0 = unlimited), got ${shape.bandwidthBytesPerSecond}`,
  )
  return shape
}

export type ShapeDecision = { readonly drop: true } | { readonly drop: false; readonly delayMs: number }

export class LinkShaper {
  private shape: LinkShape | undefined
  private peers: Set<string> | undefined
  private readonly random: Random
  /** Per peer: when the link is free again (bandwidth) and when the previous frame leaves (order). */
  private readonly links = new Map<string, { freeAt: number; lastDepartureAt: number }>()
  dropped = 0
  delayed = 0

  constructor(seed: string) {
    this.random = new Random(seed)
  }

  set(shape: LinkShape | undefined): void {
    this.shape = shape === undefined ? undefined : validateLinkShape(shape)
    this.peers = shape?.peers === undefined ? undefined : new Set(shape.peers)
    this.links.clear()
  }

  get active(): boolean {
    return this.shape !== undefined
  }

  /** What to do with a frame of `bytes` to `peer` sent at `now` (ms): drop it, or send it after a delay. */
  decide(peer: string, bytes: number, now: number): ShapeDecision {
    const shape = this.shape
    if (shape === undefined || (this.peers !== undefined && !this.peers.has(peer)))
      return { drop: false, delayMs: 0 }
    if (this.random.chance(shape.lossRate)) {
      this.dropped++
      return { drop: true }
    }
    let link = this.links.get(peer)
    if (link === undefined) {
      link = { freeAt: 0, lastDepartureAt: 0 }
      this.links.set(peer, link)
    }
    const transmitMs = shape.bandwidthBytesPerSecond > 0 ? (bytes / shape.bandwidthBytesPerSecond) * 1000 : 0
    const start = Math.max(now, link.freeAt)
    link.freeAt = start + transmitMs
    const jitter = shape.jitterMs > 0 ? Math.abs(this.random.normal()) * shape.jitterMs : 0
    const departure = Math.max(link.freeAt + shape.delayMs + jitter, link.lastDepartureAt)
    link.lastDepartureAt = departure
    this.delayed++
    return { drop: false, delayMs: departure - now }
  }
}
