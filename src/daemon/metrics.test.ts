/**
 * Metrics mirror the node's cumulative numbers: counters advance by the difference between two scrapes,
 * round trips are observed once, and rejection reasons are bounded.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMetrics, MAX_REJECT_REASONS } from './metrics.ts'
import { FakeNode } from './testing/fake-node.ts'

const line = (text: string, prefix: string): string | undefined =>
  text.split('\n').find((row) => row.startsWith(prefix))

describe('node metrics', () => {
  it('exports the node totals once, however often it is scraped', async () => {
    const node = new FakeNode()
    const metrics = createMetrics(node, { defaultMetrics: false })
    const first = await metrics.render()
    assert.equal(
      line(first, 'meshwork_messages_total{direction="out"}'),
      'meshwork_messages_total{direction="out"} 12',
    )
    assert.equal(line(first, 'meshwork_probe_rtt_seconds_count'), 'meshwork_probe_rtt_seconds_count 2')
    assert.equal(
      line(first, 'meshwork_probe_rtt_seconds_bucket{le="0.0025"}'),
      'meshwork_probe_rtt_seconds_bucket{le="0.0025"} 1',
    )
    node.metricsValue = { ...node.metricsValue, messagesOut: 20, probeRoundTripsMs: [7] }
    node.statusValue = { ...node.statusValue, members: { alive: 5, suspect: 1, failed: 0, left: 2 } }
    const second = await metrics.render()
    assert.equal(
      line(second, 'meshwork_messages_total{direction="out"}'),
      'meshwork_messages_total{direction="out"} 20',
    )
    assert.equal(
      line(second, 'meshwork_messages_total{direction="in"}'),
      'meshwork_messages_total{direction="in"} 10',
    )
    assert.equal(line(second, 'meshwork_probe_rtt_seconds_count'), 'meshwork_probe_rtt_seconds_count 3')
    assert.equal(line(second, 'meshwork_members{state="suspect"}'), 'meshwork_members{state="suspect"} 1')
    assert.equal(line(second, 'meshwork_members{state="left"}'), 'meshwork_members{state="left"} 2')
    assert.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8')
  })

  it(`sums rejection reasons past ${MAX_REJECT_REASONS} under "other"`, async () => {
    const node = new FakeNode()
    const rejectedFrames: Record<string, number> = {}
    for (let i = 0; i < MAX_REJECT_REASONS + 5; i++) rejectedFrames[`r${String(i).padStart(3, '0')}`] = 1
    node.metricsValue = { ...node.metricsValue, rejectedFrames }
    const text = await createMetrics(node, { defaultMetrics: false }).render()
    const series = text.split('\n').filter((row) => row.startsWith('meshwork_rejected_frames_total{'))
    assert.equal(series.length, MAX_REJECT_REASONS + 1)
    assert.ok(series.includes('meshwork_rejected_frames_total{reason="other"} 5'))
  })
})
