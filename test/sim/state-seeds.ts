/**
 * Replicated state under partitions, loss, duplication, crashes and restarts, over 500 seeds (issue 9,
 * deliverable 10), split across two test files so that they run side by side. Every seed must lose and
 * duplicate nothing, keep every top-N map within its capacity, and converge after the heal. Replay one with
 * the printed command, or `MESHWORK_STATE_SEED=<n> node --test test/sim/state-seeds-a.test.ts`.
 */
import assert from 'node:assert/strict'
import { runStateSimulation, STATE_SCENARIO_DEFAULTS } from '../../src/engines/sim/index.ts'

/** 16 nodes: halves of 8, where an active view of 5 can close around each half. */
export const STATE_SEED_NODES = 16

export function checkStateSeeds(first: number, last: number): void {
  const only = process.env.MESHWORK_STATE_SEED
  const seeds =
    only === undefined ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : [Number(only)]
  for (const seed of seeds) {
    const report = runStateSimulation({ ...STATE_SCENARIO_DEFAULTS, nodes: STATE_SEED_NODES, seed })
    const where = `seed ${seed}: replay with ${report.replay}`
    assert.equal(report.lostCount, 0, `${where}: ${report.lostCount} acknowledged writes lost`)
    assert.equal(report.duplicatedCount, 0, `${where}: ${report.duplicatedCount} duplicated or resurrected`)
    assert.ok(
      report.maxEntries <= STATE_SCENARIO_DEFAULTS.topNCapacity,
      `${where}: top-N held ${report.maxEntries}`,
    )
    assert.ok(report.convergedAfterHealMs !== null, `${where}: the replicas never converged after the heal`)
    assert.ok(report.writes > 0, `${where}: no write was acknowledged`)
  }
}
