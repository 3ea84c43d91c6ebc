/**
 * The simulated network: decides, per message, whether it arrives, how many times, and after how long.
 *
 * Follows TigerBeetle's `src/testing/packet_simulator.zig`: per-message loss and replay (duplication),
 * partitions that are symmetric or asymmetric, and a one-way delay made of a minimum plus a random part.
 * Departures, each for a reason:
 * - Nodes number up to a million, so there are no per-path queues or per-link tables: a link's base latency
 *   is a hash of (seed, lower node, higher node), the same in both directions and recomputed on demand.
 * - The random part is |normal| · jitter around that base (LAN-like), not TigerBeetle's exponential mean,
 *   and reordering is explicit: with `reorderRate` a copy is held back by up to 5 × (base + jitter), so
 *   later messages overtake it. TigerBeetle reorders only through its priority queue of delays.
 * - No path clogging or capacity limit yet; loss and partitions cover unreachability.
 * - An asymmetric partition here drops only messages from a lower-numbered group to a higher-numbered one,
 *   so reachability is one-way and deterministic given the grouping; TigerBeetle picks directions at random.
 *
 * This class only decides fates; the runner schedules the deliveries. Latency hashing uses its own fork
 * of the random stream and per-message draws another, so changing how many messages are sent never moves
 * any link's latency.
 */

import type { Millis } from '../../kernel/index.ts'
import { fmix32, type Random } from '../../kernel/index.ts'

export interface LinkLatency {
  /** Smallest base one-way latency of a link. */
  minMs: number
  /** Largest base one-way latency of a link; bases are uniform in [minMs, maxMs]. */
  maxMs: number
  /** Scale of the per-message variation: each copy adds |normal| · jitterMs to the base. */
  jitterMs: number
}

export interface NetworkOptions {
  latency: LinkLatency
  /** Probability that a copy is lost, drawn per copy (a duplicate may survive where the original did not). */
  lossRate: number
  /** Probability that a message is sent twice. */
  duplicateRate: number
  /** Probability that a copy is held back by up to 5 × (base + jitter) so that later messages overtake it. */
  reorderRate: number
}

/** The per-message fault rates, which a runner may change between a fault phase and a healing phase. */
export type FaultRates = Pick<NetworkOptions, 'lossRate' | 'duplicateRate' | 'reorderRate'>

/**
 * `symmetric`: no message crosses between groups. `asymmetric`: messages from a lower-numbered group to a
 * higher-numbered one are dropped, the other direction still arrives.
 */
export type PartitionMode = 'symmetric' | 'asymmetric'

/** How far a reordered copy may be held back, as a multiple of its link's base latency plus jitter. */
const REORDER_SPREAD = 5
const TWO_POW_32 = 0x1_0000_0000

export class SimNetwork {
  private readonly latency: LinkLatency
  private rates: FaultRates
  private readonly latencySeedLow: number
  private readonly latencySeedHigh: number
  private readonly draws: Random
  private groupOf: ((node: number) => number) | undefined
  private mode: PartitionMode = 'symmetric'
  private readonly isolated = new Set<number>()

  private sentCount = 0
  private deliveredCount = 0
  private lostCount = 0
  private duplicatedCount = 0
  private partitionDropCount = 0

  constructor(random: Random, options: NetworkOptions) {
    const { minMs, maxMs, jitterMs } = options.latency
    if (!(Number.isFinite(minMs) && minMs >= 0 && Number.isFinite(maxMs) && maxMs >= minMs)) {
      throw new RangeError(`latency needs 0 ≤ minMs ≤ maxMs, finite; got minMs ${minMs}, maxMs ${maxMs}`)
    }
    if (!(Number.isFinite(jitterMs) && jitterMs >= 0)) {
      throw new RangeError(`latency.jitterMs must be ≥ 0 and finite, got ${jitterMs}`)
    }
    this.latency = { minMs, maxMs, jitterMs }
    this.rates = validRates(options)
    const latencySeed = random.fork('network/link-latency')
    this.latencySeedLow = latencySeed.nextU32()
    this.latencySeedHigh = latencySeed.nextU32()
    this.draws = random.fork('network/deliveries')
  }

  /** Messages offered to the network. */
  get sent(): number {
    return this.sentCount
  }

  /** Copies that will arrive (a duplicated message counts twice). */
  get delivered(): number {
    return this.deliveredCount
  }

  /** Copies dropped by random loss. */
  get lost(): number {
    return this.lostCount
  }

  /** Messages that were sent twice. */
  get duplicated(): number {
    return this.duplicatedCount
  }

  /** Messages dropped because a partition or an isolation separated sender and receiver. */
  get droppedByPartition(): number {
    return this.partitionDropCount
  }

  /** Whether a partition is in force (isolations are separate; see `isolate`). */
  get partitioned(): boolean {
    return this.groupOf !== undefined
  }

  /**
   * Decides the fate of one message from `from` to `to`: writes the one-way delay of each arriving copy
   * into `out` (which the caller reuses), sets `out.length` and returns the count: 0 lost, 1 delivered,
   * 2 duplicated.
   */
  deliveries(from: number, to: number, out: number[]): number {
    this.sentCount++
    if (!this.reachable(from, to)) {
      this.partitionDropCount++
      out.length = 0
      return 0
    }
    const { jitterMs } = this.latency
    const base = this.baseLatencyMs(from, to)
    const copies = this.draws.chance(this.rates.duplicateRate) ? 2 : 1
    if (copies === 2) this.duplicatedCount++
    let count = 0
    for (let copy = 0; copy < copies; copy++) {
      if (this.draws.chance(this.rates.lossRate)) {
        this.lostCount++
        continue
      }
      let delayMs = base
      if (jitterMs > 0) delayMs += Math.abs(this.draws.normal()) * jitterMs
      if (this.draws.chance(this.rates.reorderRate)) {
        delayMs += this.draws.float() * REORDER_SPREAD * (base + jitterMs)
      }
      out[count++] = delayMs
    }
    this.deliveredCount += count
    out.length = count
    return count
  }

  /**
   * The fixed one-way latency of the link between `a` and `b`, the same in both directions: a hash of the
   * seed and the two node numbers mapped uniformly onto [minMs, maxMs], so no table is stored.
   */
  baseLatencyMs(a: number, b: number): Millis {
    const low = Math.min(a, b)
    const high = Math.max(a, b)
    let hash = fmix32(this.latencySeedLow ^ Math.imul(low, 0x9e3779b1))
    hash = fmix32(hash ^ this.latencySeedHigh ^ Math.imul(high, 0x85ebca77))
    const { minMs, maxMs } = this.latency
    return minMs + (maxMs - minMs) * (hash / TWO_POW_32)
  }

  /** Whether a message from `from` would pass partitions and isolations now (draws nothing). */
  reachable(from: number, to: number): boolean {
    if (this.isolated.size > 0 && (this.isolated.has(from) || this.isolated.has(to))) return false
    if (this.groupOf === undefined) return true
    const fromGroup = this.groupOf(from)
    const toGroup = this.groupOf(to)
    if (fromGroup === toGroup) return true
    return this.mode === 'asymmetric' && fromGroup > toGroup
  }

  /** Splits the network into groups (`groupOf` numbers them); replaces any partition in force. */
  partition(groupOf: (node: number) => number, mode: PartitionMode): void {
    if (mode !== 'symmetric' && mode !== 'asymmetric') throw new RangeError(`unknown partition mode ${mode}`)
    this.groupOf = groupOf
    this.mode = mode
  }

  /** Lifts the partition. Isolated nodes stay isolated: isolation models a node's own link, not the cut. */
  heal(): void {
    this.groupOf = undefined
  }

  /** Cuts (`true`) or restores (`false`) every message to and from `node`. */
  isolate(node: number, isolated: boolean): void {
    if (isolated) this.isolated.add(node)
    else this.isolated.delete(node)
  }

  isIsolated(node: number): boolean {
    return this.isolated.has(node)
  }

  /** Changes the per-message fault rates, e.g. to zero for a liveness phase after faults heal. */
  setFaultRates(rates: Partial<FaultRates>): void {
    this.rates = validRates({ ...this.rates, ...rates })
  }
}

function validRates(rates: FaultRates): FaultRates {
  for (const name of ['lossRate', 'duplicateRate', 'reorderRate'] as const) {
    const rate = rates[name]
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${rate}`)
  }
  return { lossRate: rates.lossRate, duplicateRate: rates.duplicateRate, reorderRate: rates.reorderRate }
}
