/**
 * The overlay across a partition and its heal, without membership, on 5–150 ms links: the nodes split
 * into two halves (indices below n/2, which hold the three contacts, and the rest) until no active link
 * crosses the cut, the cut holds a while longer, then heals; within a bounded simulated time the active
 * graph must be one component again. At 12 nodes each half of 6 fills every active view of 5 with
 * exactly its own half, so no free slot ever asks across the cut: only a peer remembered from before it
 * (`src/protocols/overlay/dormant-peers.ts`) can bring the halves back together. Before that mechanism,
 * 93 of 100 seeds of the state simulation at 12 nodes (and 30 at 16) never converged after the heal.
 *
 * The bound: a lost peer is asked again at most about 1.5 · `reprobeMaxMs` after the last try (the
 * backoff is jittered by ±50 %), and the merge request then takes one round trip; measured merges take
 * 0.1–2 s after the heal (seeds 1–16).
 *
 * A failure names its seed; replay with
 *   MESHWORK_OVERLAY_SEED=<seed> node --test test/sim/overlay-partition-heal.test.ts
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  OVERLAY_SCENARIO_DEFAULTS,
  type OverlayScenario,
  OverlaySimulation,
  overlayReplayHint,
} from '../../src/engines/sim/overlay/overlay-simulation.ts'

const REPLAY_SEED = process.env.MESHWORK_OVERLAY_SEED
const SEEDS = REPLAY_SEED === undefined ? [1, 2, 3, 4, 5, 6, 7, 8] : [Number(REPLAY_SEED)]

/** Active links from one half to the other, counted at both ends. */
function linksAcross(sim: OverlaySimulation, half: number): number {
  let count = 0
  for (let index = 0; index < sim.ids.length; index++) {
    for (const id of sim.core(index)?.activeView() ?? []) {
      if (index < half !== sim.index(id) < half) count++
    }
  }
  return count
}

/** Splits, waits until the overlay is two halves, holds the cut for `partitionMs`, heals; the time to merge. */
function splitAndHeal(nodes: number, seed: number, partitionMs: number): void {
  const scenario: OverlayScenario = {
    ...OVERLAY_SCENARIO_DEFAULTS,
    nodes,
    seed,
    latencyMs: { min: 5, max: 150 },
  }
  const sim = new OverlaySimulation(scenario)
  const replay = overlayReplayHint(scenario)
  const { heartbeatTimeoutMs, reprobeMaxMs, neighborTimeoutMs } = sim.config
  sim.startAll()
  const joinedMs = sim.runUntil((graph) => graph.upNodes === nodes && graph.components === 1, 30_000, 100)
  assert.ok(joinedMs !== undefined, `never settled; ${replay}`)
  sim.run(10_000)

  const half = Math.floor(nodes / 2)
  sim.network.partition((node) => (node < half ? 0 : 1), 'symmetric')
  // every link across fails its heartbeat, and the repairs it starts across time out
  const cutMs = sim.runUntil(() => linksAcross(sim, half) === 0, 4 * heartbeatTimeoutMs, 100)
  assert.ok(cutMs !== undefined, `links still cross the cut ${4 * heartbeatTimeoutMs} ms in; ${replay}`)
  sim.run(partitionMs)
  const split = sim.graph()
  assert.ok(split.components >= 2, `one component during the partition; ${replay}`)

  sim.network.heal()
  const limitMs = 1.5 * reprobeMaxMs + 4 * neighborTimeoutMs
  const mergedMs = sim.runUntil((graph) => graph.components === 1, limitMs, 100)
  assert.ok(
    mergedMs !== undefined,
    `still ${sim.graph().components} components ${limitMs} ms after the heal; ${replay}`,
  )
  const merged = sim.graph()
  assert.ok(merged.minDegree >= 1 && merged.maxDegree <= sim.config.activeViewSize, `degrees; ${replay}`)
}

describe('overlay across a healed partition', () => {
  it('merges two halves of 12 nodes (each filling its own views) into one component after a 12 s cut', () => {
    for (const seed of SEEDS) splitAndHeal(12, seed, 12_000)
  })

  it('merges two halves of 16 nodes after a 30 s cut, and of 12 after a 2 min cut (backoff at its cap)', () => {
    for (const seed of SEEDS) {
      splitAndHeal(16, seed, 30_000)
      splitAndHeal(12, seed, 120_000)
    }
  })

  it('merges two halves of 1,000 nodes after a 2 min cut', () => {
    for (const seed of SEEDS.slice(0, 2)) splitAndHeal(1_000, seed, 120_000)
  })
})
