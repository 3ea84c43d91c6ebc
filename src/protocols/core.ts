/**
 * The sans-IO core contract (docs/architecture.md). Every protocol core is a synchronous state machine:
 * time goes in, deadlines, messages and events come out. It never reads a clock, sets a timer, opens a
 * socket, logs, or draws unseeded randomness, so the same code runs over libp2p, in the simulator and in
 * a unit test that steps two nodes by hand.
 */
import type { Millis, NodeId } from '../kernel/index.ts'

export interface Core<In, Out, Event> {
  /** Remote input. Never throws, whatever `message` holds. */
  receive(now: Millis, from: NodeId, message: In): void
  /** Called at or after `nextDeadline()`; calling it early is harmless. */
  tick(now: Millis): void
  nextDeadline(): Millis | undefined
  /** What the core sends, taken: readonly, since an empty take may be one shared empty list. */
  takeOutbox(): ReadonlyArray<{ readonly to: NodeId; readonly message: Out }>
  takeEvents(): readonly Event[]
}
