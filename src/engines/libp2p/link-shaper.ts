/**
 * Link shaping at the frame layer, for chaos on machines without `tc netem` (containers, CI runners):
 * per-peer delay, jitter, loss and a bandwidth cap on outgoing frames, as Toxiproxy's latency, bandwidth
 * and timeout toxics do for TCP. Egress only, like netem: shape both ends to shape a link both ways.
 *
 * A shape is a link model (`node/link-models.ts`, the table the simulator uses too): each peer's base delay
 * is fixed, uniform in `[minDelayMs, maxDelayMs]` by a hash of the peer id, and every frame adds
 * |normal| · `jitterMs`.
 *
 * Decisions are drawn from a seeded generator, so a shaped run repeats. Frames to one peer leave in the
 * order they were sent (no reordering): each departure is at least the previous one, and the bandwidth
 * cap is a token bucket expressed as "the link is busy until t".
 */
import { hashString, Random } from '../../kernel/index.ts'
import { type LinkShape, validateLinkShape } from '../../node/index.ts'

export type ShapeDecision = { readonly drop: true } | { readonly drop: false; readonly delayMs: number }

export class LinkShaper {
  private shape: LinkShape | undefined
  private peers: Set<string> | undefined
  private readonly random: Random
  /** Per peer: when the link is free again (bandwidth) and when the previous frame leaves (order). */
  private readonly links = new Map<string, { baseDelayMs: number; freeAt: number; lastDepartureAt: number }>()
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
      const spread = shape.maxDelayMs - shape.minDelayMs
      const baseDelayMs = shape.minDelayMs + (spread > 0 ? (hashString(peer) / 0x1_0000_0000) * spread : 0)
      link = { baseDelayMs, freeAt: 0, lastDepartureAt: 0 }
      this.links.set(peer, link)
    }
    const transmitMs = shape.bandwidthBytesPerSecond > 0 ? (bytes / shape.bandwidthBytesPerSecond) * 1000 : 0
    const start = Math.max(now, link.freeAt)
    link.freeAt = start + transmitMs
    const jitter = shape.jitterMs > 0 ? Math.abs(this.random.normal()) * shape.jitterMs : 0
    const departure = Math.max(link.freeAt + link.baseDelayMs + jitter, link.lastDepartureAt)
    link.lastDepartureAt = departure
    this.delayed++
    return { drop: false, delayMs: departure - now }
  }
}
