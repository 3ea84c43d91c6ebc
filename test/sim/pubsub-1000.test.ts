/**
 * Pub/sub at 1,000 simulated nodes over the overlay and broadcast, without membership, on 5–150 ms links
 * at 5 % loss: four publishers publish ten each, every node subscribes `ordered` and every tenth also
 * `as-arrives` and `latest-only`. Every `ordered` and `as-arrives` subscription must receive every
 * publication exactly once, the `ordered` ones in per-publisher sequence, with no gap skipped (the
 * broadcast repairs each loss within the gap timeout); no `latest-only` subscription may receive an
 * older publication after a newer one; no honest publication may be refused.
 *
 * A failure names its seed; replay with
 *   MESHWORK_PUBSUB_SEED=<seed> node --test test/sim/pubsub-1000.test.ts
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  PUBSUB_SCENARIO_DEFAULTS,
  type PubSubReport,
  runPubSubSimulation,
} from '../../src/protocols/pubsub/testing/pubsub-simulation.ts'

const NODES = 1_000
const SEEDS =
  process.env.MESHWORK_PUBSUB_SEED === undefined ? [1, 2] : [Number(process.env.MESHWORK_PUBSUB_SEED)]

function assertPromisesKept(report: PubSubReport): void {
  const where = `seed ${report.seed}: replay with ${report.replay}`
  const { ordered, 'as-arrives': asArrives, 'latest-only': latest } = report.modes
  for (const [mode, outcome] of [
    ['ordered', ordered],
    ['as-arrives', asArrives],
  ] as const) {
    assert.equal(outcome.missing, 0, `${where}: ${outcome.missing} ${mode} deliveries missing`)
    assert.equal(outcome.duplicates, 0, `${where}: ${outcome.duplicates} ${mode} deliveries twice`)
    assert.equal(outcome.delivered, outcome.expected, `${where}: ${mode} delivered ${outcome.delivered}`)
  }
  assert.equal(ordered.outOfOrder, 0, `${where}: ${ordered.outOfOrder} ordered deliveries out of sequence`)
  assert.equal(latest.outOfOrder, 0, `${where}: a latest-only subscription went back in time`)
  assert.equal(latest.duplicates, 0, `${where}: a latest-only subscription received one twice`)
  assert.equal(report.gapSkips, 0, `${where}: ${report.gapSkips} gaps skipped`)
  assert.equal(report.rejections, 0, `${where}: honest publications refused`)
}

describe('pub/sub over the broadcast, 1,000 simulated nodes at 5 % loss', () => {
  for (const seed of SEEDS) {
    it(`delivers every publication once to every subscription, in order where ordered (seed ${seed})`, () => {
      const report = runPubSubSimulation({ ...PUBSUB_SCENARIO_DEFAULTS, nodes: NODES, seed, lossRate: 0.05 })
      assert.ok(report.overlaySettleMs !== null, `seed ${seed}: the overlay never settled`)
      assert.equal(report.modes.ordered.subscriptions, NODES)
      assertPromisesKept(report)
      // as-arrives saw publications out of sequence: the ordered guarantee was the reorder buffer's work
      assert.ok(report.modes['as-arrives'].outOfOrder > 0, `seed ${seed}: loss never reordered anything`)
    })
  }
})
