/**
 * A checker of a simulated run: it sees the ground truth (`ground-truth.ts`) and every event of every node,
 * may look at the cluster at every check step and at the end, and reports violations. One checker per
 * file under `checkers/`, each asserting one property (lodestar's crucible assertions, one per file); a
 * later capability adds its own checkers next to these without editing them.
 */
import type { Millis, NodeId } from '../../../kernel/index.ts'
import type { NodeEvent } from '../../../node/index.ts'
import type { MemberState, MembershipConfig } from '../../../protocols/membership/index.ts'
import type { GroundTruth } from './ground-truth.ts'
import type { MembershipScenario } from './scenario.ts'

export interface Violation {
  readonly checker: string
  readonly at: Millis
  readonly message: string
}

/** What a checker may look at besides events: the truth, and each live node's current view. */
export interface RunView {
  readonly now: Millis
  readonly truth: GroundTruth
  readonly ids: readonly NodeId[]
  /** How node `observer` currently holds `subject`, or undefined when it does not know it (or is down). */
  stateOf(observer: number, subject: number): MemberState | undefined
  /** Whether node `index` is up and leaving gracefully. */
  isLeaving(index: number): boolean
  /** Node `index`'s own incarnation, or undefined while it is down. */
  incarnationOf(index: number): number | undefined
  /** Frames honest peers sent that a node failed to decode (wire mode), by reason. */
  readonly rejections: ReadonlyMap<string, number>
}

export interface CheckerContext {
  readonly scenario: MembershipScenario
  readonly config: MembershipConfig
  readonly truth: GroundTruth
  readonly indexOf: (id: NodeId) => number | undefined
  /** Reports a violation on behalf of the checker (the run keeps the first few). */
  violate(checker: string, at: Millis, message: string): void
}

export interface Checker {
  readonly name: string
  /** Every event a node emits, with its index and the simulated time. */
  onEvent?(node: number, event: NodeEvent, at: Millis): void
  /** At every check step (10 ms of simulated time) of the fault phases. */
  onStep?(run: RunView): void
  /** Once, when the run is over. */
  finish?(run: RunView): void
}

export type CheckerFactory = (context: CheckerContext) => Checker
