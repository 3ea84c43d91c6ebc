/**
 * What a delta may carry before it is merged, beyond what its decoder already bounds:
 * - **Only its origin's writes.** A batch is signed by its origin, so every add dot (set), counter total
 *   (counters) and register timestamp (map) in it must name one of the origin's actors (`origin:epoch`);
 *   otherwise a signed batch could raise another node's counter to near 2^53 or mint its dots. A remove
 *   may name any actor's dots (it removes adds it observed); top-N offers carry no actor.
 * - **Within the object's limits.** Merges do not enforce `maxEntries` (ADR 0014), so the entries a delta
 *   would add are counted against the object's room first.
 * Anti-entropy repairs are checked for limits only: a repair is the neighbour's state, not its writes.
 */
import type { AnyCrdt, CrdtLimits } from '../crdt/index.ts'
import type { ReplicationRejection } from './types.ts'

export function actorOf(node: string, epoch: number): string {
  return `${node}:${epoch}`
}

function ownedBy(origin: string, actor: string): boolean {
  return actor.length > origin.length && actor.startsWith(origin) && actor[origin.length] === ':'
}

/** Whether every write in `delta` is `origin`'s own. */
export function writtenBy(origin: string, delta: AnyCrdt): boolean {
  switch (delta.type) {
    case 'set':
      for (const actor of delta.addActors()) if (!ownedBy(origin, actor)) return false
      return true
    case 'counter':
    case 'gcounter':
      for (const actor of delta.actors()) if (!ownedBy(origin, actor)) return false
      return true
    case 'map':
      for (const [, entry] of delta.entries()) if (!ownedBy(origin, entry.ts.node)) return false
      return true
    case 'topN':
      return true
  }
}

/** Entries `delta` would add to `state` (keys, elements or ids it does not hold yet). */
function newEntries(state: AnyCrdt, delta: AnyCrdt): number {
  let count = 0
  switch (delta.type) {
    case 'set':
      for (const element of delta.value()) if (!(state as typeof delta).has(element)) count++
      return count
    case 'counter':
    case 'gcounter':
      for (const [key] of delta.entries()) if (!(state as typeof delta).has(key)) count++
      return count
    case 'map':
      for (const [key] of delta.entries()) if ((state as typeof delta).get(key) === undefined) count++
      return count
    case 'topN':
      // bounded by its capacity whatever arrives
      return 0
  }
}

/** Why `delta` may not be merged into `state`, or undefined when it may. */
export function refusal(
  state: AnyCrdt,
  delta: AnyCrdt,
  limits: CrdtLimits,
): ReplicationRejection | undefined {
  if (state.type !== delta.type) return 'type-mismatch'
  if (state.type === 'topN' && delta.type === 'topN' && state.capacity !== delta.capacity)
    return 'type-mismatch'
  if (state.type !== 'topN' && sizeOf(state) + newEntries(state, delta) > limits.maxEntries) {
    return 'too-many-entries'
  }
  return undefined
}

function sizeOf(state: AnyCrdt): number {
  return state.size
}
