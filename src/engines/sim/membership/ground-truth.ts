/**
 * What really happened in a simulated run, which no node knows: who was up, who crashed or left and when,
 * and every network cut with the side each node was on while it was in force. Phases record it as they
 * inject faults; checkers judge the nodes' events against it.
 */
import type { Millis } from '../../../kernel/index.ts'
import type { PartitionMode } from '../network.ts'

/** A departure: a crash, or a graceful leave that ends in a stopped process. */
export interface Departure {
  readonly node: number
  readonly at: Millis
  readonly graceful: boolean
  /** When the node started again as a new life, or +∞. */
  restartedAt: Millis
}

/** One network partition: the group of every node while it was in force. */
export interface Cut {
  readonly groups: Int8Array
  readonly mode: PartitionMode
  readonly from: Millis
  /** When it healed, or +∞ while in force. */
  until: Millis
  /** Groups whose nodes must report the partition before it heals (they lost more than 1 − quorum). */
  readonly mustReport: readonly number[]
}

export class GroundTruth {
  readonly nodes: number
  readonly departures: Departure[] = []
  readonly cuts: Cut[] = []
  private readonly up: Uint8Array
  private readonly departed: Uint8Array
  private readonly lives: Int32Array

  constructor(nodes: number) {
    this.nodes = nodes
    this.up = new Uint8Array(nodes)
    this.departed = new Uint8Array(nodes)
    this.lives = new Int32Array(nodes).fill(-1)
  }

  /** Which life of `node` this is: 0 for its first start, one more for every restart. */
  lifeOf(node: number): number {
    return this.lives[node] as number
  }

  started(node: number, at: Millis): void {
    this.up[node] = 1
    this.lives[node] = (this.lives[node] as number) + 1
    for (const departure of this.departures)
      if (departure.node === node && departure.restartedAt === Number.POSITIVE_INFINITY)
        departure.restartedAt = at
  }

  /** `node` departs at `at` (a graceful leave is announced at `at` and the process stops shortly after). */
  departing(node: number, at: Millis, graceful: boolean): void {
    this.departed[node] = 1
    this.departures.push({ node, at, graceful, restartedAt: Number.POSITIVE_INFINITY })
  }

  stopped(node: number): void {
    this.up[node] = 0
  }

  isUp(node: number): boolean {
    return this.up[node] === 1
  }

  /** Whether `node` ever crashed or left: reports about it are never false positives. */
  everDeparted(node: number): boolean {
    return this.departed[node] === 1
  }

  /** The departure of `node` in force at `at` (departed, not restarted since), if any. */
  departureAt(node: number, at: Millis): Departure | undefined {
    for (let i = this.departures.length - 1; i >= 0; i--) {
      const departure = this.departures[i] as Departure
      if (departure.node === node && departure.at <= at && at < departure.restartedAt) return departure
    }
    return undefined
  }

  startCut(groups: Int8Array, mode: PartitionMode, at: Millis, mustReport: readonly number[]): void {
    this.cuts.push({
      groups: Int8Array.from(groups),
      mode,
      from: at,
      until: Number.POSITIVE_INFINITY,
      mustReport,
    })
  }

  heal(at: Millis): void {
    for (const cut of this.cuts) if (cut.until === Number.POSITIVE_INFINITY) cut.until = at
  }

  /** Whether some cut in force at `at` put `a` and `b` on different sides. */
  separated(a: number, b: number, at: Millis): boolean {
    for (const cut of this.cuts) {
      if (cut.from <= at && at < cut.until && cut.groups[a] !== cut.groups[b]) return true
    }
    return false
  }

  /** Whether a cut that put `a` and `b` on different sides healed within `marginMs` before `at`. */
  separatedWithin(a: number, b: number, at: Millis, marginMs: Millis): boolean {
    for (const cut of this.cuts) {
      if (cut.groups[a] !== cut.groups[b] && cut.until <= at && at - cut.until < marginMs) return true
    }
    return false
  }
}
