/**
 * The writes of the state simulation and the oracle that scores replicas against the acknowledged ones
 * (`state-simulation.ts` says what each count means).
 */
import type { Random } from '../../../kernel/index.ts'
import {
  type AnyCrdt,
  type AwSet,
  compareBytes,
  compareTimestamps,
  type LwwMap,
  type PnCounterMap,
  type Timestamp,
  type TopNMap,
} from '../../../protocols/crdt/index.ts'
import type { Replication, StateOp } from '../../../protocols/replication/index.ts'

const MAP_KEYS = 6
const COUNTER_KEYS = 4
const TOP_N_IDS = 24
const MAX_RANK = 1_000
const UTF8 = new TextEncoder()

/** The value an offer of `id` at `rank` carries: a function of both, so equal offers are equal. */
function offerValue(id: string, rank: number): Uint8Array {
  return UTF8.encode(`${id}@${rank}`)
}

/** One write of node `index` (its `k`th) to `name`; undefined when there is nothing to do. */
export function chooseOperation(
  name: string,
  index: number,
  k: number,
  random: Random,
  core: Replication | undefined,
): StateOp | undefined {
  switch (name) {
    case 'jobs': {
      // a third of the writes remove one of this node's own elements that it holds
      if (random.float() < 1 / 3) {
        const set = core?.objects.state('jobs') as AwSet | undefined
        const own = set?.value().filter((element) => element.startsWith(`e${index}-`)) ?? []
        if (own.length > 0) return { op: 'remove', value: own[random.intBelow(own.length)] as string }
      }
      return { op: 'add', value: `e${index}-${k}` }
    }
    case 'archive': {
      const id = `g${random.intBelow(TOP_N_IDS)}`
      const rank = random.intBelow(MAX_RANK)
      return { op: 'offer', id, rank, value: offerValue(id, rank) }
    }
    case 'meta':
      return { op: 'put', key: `k${random.intBelow(MAP_KEYS)}`, value: UTF8.encode(`n${index}-${k}`) }
    default: {
      const by = random.intBelow(10) + 1
      return { op: 'inc', key: `c${random.intBelow(COUNTER_KEYS)}`, by: random.float() < 0.3 ? -by : by }
    }
  }
}

interface Latest {
  readonly ts: Timestamp
  readonly value: Uint8Array
}

export interface ReplicaScore {
  readonly lost: number
  readonly duplicated: number
  readonly topNEntries: number
}

export class StateOracle {
  private readonly capacity: number
  private readonly added = new Set<string>()
  private readonly removed = new Set<string>()
  private readonly bestRank = new Map<string, number>()
  private readonly latest = new Map<string, Latest>()
  private readonly sums = new Map<string, number>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** Records an acknowledged write and the delta it produced. */
  acknowledged(name: string, op: StateOp, delta: AnyCrdt, _index: number): void {
    switch (op.op) {
      case 'add':
        this.added.add(op.value)
        return
      case 'remove':
        this.removed.add(op.value)
        return
      case 'offer':
        this.bestRank.set(op.id, Math.max(this.bestRank.get(op.id) ?? -1, op.rank))
        return
      case 'put': {
        const entry = (delta as LwwMap).get(op.key)
        if (entry === undefined) return
        const held = this.latest.get(op.key)
        const order = held === undefined ? 1 : compareTimestamps(entry.ts, held.ts)
        if (order > 0 || (order === 0 && held !== undefined && compareBytes(entry.value, held.value) > 0)) {
          this.latest.set(op.key, entry)
        }
        return
      }
      case 'inc':
        this.sums.set(op.key, (this.sums.get(op.key) ?? 0) + op.by)
        return
    }
    void name
  }

  /** The top N of each id's best offer, in the map's order (rank descending, id ascending). */
  private topN(): [string, number][] {
    return [...this.bestRank]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, this.capacity)
  }

  score(state: (name: string) => AnyCrdt | undefined): ReplicaScore {
    let lost = 0
    let duplicated = 0
    const set = state('jobs') as AwSet | undefined
    for (const element of this.added) {
      const present = set?.has(element) === true
      if (this.removed.has(element)) {
        if (present) duplicated++
      } else if (!present) lost++
    }
    const top = state('archive') as TopNMap | undefined
    for (const [id, rank] of this.topN()) if (top?.get(id)?.rank !== rank) lost++
    const map = state('meta') as LwwMap | undefined
    for (const [key, entry] of this.latest) {
      const held = map?.get(key)
      if (held === undefined || compareBytes(held.value, entry.value) !== 0) lost++
    }
    const counters = state('hits') as PnCounterMap | undefined
    for (const [key, sum] of this.sums) {
      const value = counters?.get(key) ?? 0
      if (value < sum) lost++
      else if (value > sum) duplicated++
    }
    return { lost, duplicated, topNEntries: top?.size ?? 0 }
  }
}
