/**
 * What the engine contract suite needs from an engine: a small cluster of membership nodes it can start,
 * crash, partition and feed raw frames, observed from outside. Each engine provides one factory; the
 * suite (`membership-contract.ts`) runs the same cases against all of them, as Hono runs every router
 * through `common.case.test.ts`.
 *
 * Time is the engine's own: the simulator advances virtual time inside `waitFor`, the libp2p engine
 * polls real time. Limits are in milliseconds of that time.
 */
import type { MemberState } from '../../protocols/membership/index.ts'

export interface ClusterUnderTest {
  readonly size: number
  /** What node `observer` believes about node `subject` (undefined: unknown to it). */
  stateOf(observer: number, subject: number): MemberState | undefined
  isPartitioned(node: number): boolean
  /** Frames node `node` dropped on receipt (decode failures, oversize), whatever the reason. */
  rejectedFrames(node: number): number
  /** Stops a node at once, without announcing a leave. */
  crash(node: number): Promise<void>
  /** Cuts all traffic between the given sides (nodes not listed keep talking to everyone). */
  partition(sides: readonly (readonly number[])[]): Promise<void>
  heal(): Promise<void>
  /** Hands raw bytes to `to`'s frame handler as if `from` had sent them. */
  injectFrame(to: number, from: number, bytes: Uint8Array): Promise<void>
  /** Resolves true as soon as `predicate` holds, false after `limitMs` of engine time. */
  waitFor(predicate: () => boolean, limitMs: number): Promise<boolean>
  close(): Promise<void>
}

/** Starts `size` nodes that join through node 0 (not necessarily converged yet). */
export type ClusterFactory = (size: number) => Promise<ClusterUnderTest>
