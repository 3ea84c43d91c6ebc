/**
 * Metrics mirror the node's samples: counters advance by the difference between two scrapes, gauges take
 * the latest value, observations go into a histogram once, and the series of one metric are bounded.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MetricSample } from '../node/index.ts'
import { createMetrics, MAX_SERIES_PER_METRIC } from './metrics.ts'
import { FakeNode } from './testing/fake-node.ts'

const line = (text: string, prefix: string): string | undefined =>
  text.split('\n').find((row) => row.startsWith(prefix))

const counter = (value: number, labels: Record<string, string>): MetricSample => ({
  kind: 'counter',
  name: 'meshwork_messages_total',
  help: 'Frames',
  labels,
  value,
})

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
    node.metricsValue = [
      counter(10, { direction: 'in' }),
      counter(20, { direction: 'out' }),
      { kind: 'gauge', name: 'meshwork_members', help: 'Members', labels: { state: 'alive' }, value: 5 },
      {
        kind: 'observations',
        name: 'meshwork_probe_rtt_seconds',
        help: 'RTT',
        buckets: [0.001],
        values: [0.007],
      },
    ]
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
    assert.equal(line(second, 'meshwork_members{state="alive"}'), 'meshwork_members{state="alive"} 5')
    assert.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8')
  })

  it('adds a total that went down whole, as a restarted source', async () => {
    const node = new FakeNode()
    node.metricsValue = [counter(50, { direction: 'in' })]
    const metrics = createMetrics(node, { defaultMetrics: false })
    await metrics.render()
    node.metricsValue = [counter(3, { direction: 'in' })]
    assert.equal(
      line(await metrics.render(), 'meshwork_messages_total{direction="in"}'),
      'meshwork_messages_total{direction="in"} 53',
    )
  })

  it(`sums series past ${MAX_SERIES_PER_METRIC} of one metric under "other"`, async () => {
    const node = new FakeNode()
    node.metricsValue = Array.from({ length: MAX_SERIES_PER_METRIC + 5 }, (_, i) => ({
      kind: 'counter' as const,
      name: 'meshwork_rejected_frames_total',
      help: 'Frames dropped on receipt',
      labels: { reason: `r${String(i).padStart(3, '0')}` },
      value: 1,
    }))
    const metrics = createMetrics(node, { defaultMetrics: false })
    const text = await metrics.render()
    const series = text.split('\n').filter((row) => row.startsWith('meshwork_rejected_frames_total{'))
    assert.equal(series.length, MAX_SERIES_PER_METRIC)
    assert.ok(series.includes('meshwork_rejected_frames_total{reason="other"} 6'), series.join('\n'))
    const again = await metrics.render()
    assert.ok(
      again.includes('meshwork_rejected_frames_total{reason="other"} 6'),
      'a second scrape adds nothing',
    )
  })
})
