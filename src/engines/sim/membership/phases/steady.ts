/**
 * A quiet stretch before the faults (checkers still run); measures its bytes per node per second. The
 * stretch starts once the join's news has spread — every node's gossip queue empty — because the join
 * sends each of the N new records λ·log n times from every node that holds it, and that backlog can
 * outlast the moment every node sees every other by seconds at thousands of nodes: measured from that
 * moment, "steady" traffic would be the join's tail, not the protocol's idle cost.
 */
import type { Phase } from '../phase.ts'

/** How long the join's backlog may take to drain before the measurement starts regardless. */
const DRAIN_LIMIT_MS = 60_000

export const steadyPhase: Phase = {
  name: 'steady',
  run(c, progress) {
    const drained = (): boolean => c.upNodes().every((i) => (c.membership(i)?.gossipQueued ?? 0) === 0)
    const drainMs = c.runUntilTrue(drained, DRAIN_LIMIT_MS * c.scale)
    progress(drainMs === null ? 'steady state (the join backlog did not drain)' : 'steady state')
    const bytesBefore = c.host.traffic.bytesSent
    const start = c.scheduler.now
    c.runFor(c.scenario.steadyMs)
    c.measurements.steadyBytesPerNodePerSecond =
      (c.host.traffic.bytesSent - bytesBefore) / c.scenario.nodes / ((c.scheduler.now - start) / 1000)
  },
}
