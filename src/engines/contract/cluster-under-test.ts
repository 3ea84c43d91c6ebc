/**
 * What the engine contract suite needs from an engine: a small cluster of composed nodes (`MeshNode`s of
 * the modules every Meshwork node runs) that it can start, crash, partition and feed raw frames, and whose
 * nodes it can read from outside. Each engine provides one factory; the suite (`index.ts`) runs every
 * capability file against all of them, as Hono runs every router through `common.case.test.ts`.
 *
 * Time is the engine's own: the simulator advances virtual time inside `waitFor`, the libp2p engine
 * polls real time. Limits are in milliseconds of that time.
 */
import type { MeshNode } from '../../node/index.ts'

export interface ClusterUnderTest {
  readonly size: number
  /**
   * Whether time is virtual: no scheduler stalls, no garbage-collection pauses, so timing-dependent
   * properties (no suspicion at all in a quiet cluster) must hold exactly.
   */
  readonly virtualTime: boolean
  /** The composed node at `index`; undefined once it crashed. */
  node(index: number): MeshNode | undefined
  peerId(index: number): string
  /** Frames node `index` dropped on receipt (decode failures, oversize), over every protocol. */
  rejectedFrames(index: number): number
  /** Stops a node at once, without announcing a leave. */
  crash(index: number): Promise<void>
  /** Cuts all traffic between the given sides (nodes not listed keep talking to everyone). */
  partition(sides: readonly (readonly number[])[]): Promise<void>
  heal(): Promise<void>
  /** Hands raw bytes to `to` as if `from` had sent them on `protocol`. */
  injectFrame(to: number, from: number, protocol: string, bytes: Uint8Array): Promise<void>
  /** Resolves true as soon as `predicate` holds, false after `limitMs` of engine time. */
  waitFor(predicate: () => boolean, limitMs: number): Promise<boolean>
  close(): Promise<void>
}

/** Starts `size` nodes that join through node 0 (not necessarily converged yet). */
export type ClusterFactory = (size: number) => Promise<ClusterUnderTest>

/** The number of nodes each capability runs on: a 2|3 split leaves a majority and a minority. */
export const CONTRACT_CLUSTER_SIZE = 5

/** Frames everyone who speaks a versioned frame format must refuse (bad version, truncated, empty). */
export function sumRejections(rejected: Record<string, Record<string, number>>): number {
  let total = 0
  for (const reasons of Object.values(rejected)) for (const count of Object.values(reasons)) total += count
  return total
}
