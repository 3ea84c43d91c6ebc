/**
 * The node's Prometheus metrics. The node reports plain samples — the engine's transport counters and
 * whatever each protocol module contributes (`MetricSample` in protocols/module.ts) — and this file turns
 * them into prom-client metrics at scrape time, so neither the engine nor a module depends on prom-client,
 * one scrape reads the node exactly once, and a new module's metrics appear without an edit here.
 *
 * Each exporter has its own registry, so several nodes (or tests) in one process do not share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { MetricSample, RunningNode } from '../node/index.ts'

/**
 * Series per metric at most. Label values come from the node (rejection reasons, protocols); should a
 * node ever invent new ones without end, the scrape would grow without bound, so series past this many
 * are summed under label values of `other`.
 */
export const MAX_SERIES_PER_METRIC = 32

export interface MetricsOptions {
  /** Also export Node.js process metrics, including `nodejs_eventloop_lag_seconds`. @default true */
  readonly defaultMetrics?: boolean
}

export interface MetricsExporter {
  readonly registry: Registry
  readonly contentType: string
  /** Reads the node once, updates every metric, and renders them in the Prometheus text format. */
  render(): Promise<string>
}

interface Exported {
  readonly kind: MetricSample['kind']
  readonly labelNames: readonly string[]
  readonly metric: Counter | Gauge | Histogram
  /** Series seen so far, by their key; bounded by MAX_SERIES_PER_METRIC. */
  readonly series: Set<string>
}

export function createMetrics(
  node: Pick<RunningNode, 'metrics'>,
  options: MetricsOptions = {},
): MetricsExporter {
  const registry = new Registry()
  // prom-client samples event-loop lag every 10 ms by default: 100 wake-ups a second, a measurable part of
  // an idle node's CPU. Lag that matters to membership (probe timeouts ≥ 50 ms) shows at 50 ms resolution.
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 })
  const exported = new Map<string, Exported>()
  const lastTotals = new Map<string, number>()

  const exporterFor = (sample: MetricSample): Exported => {
    const existing = exported.get(sample.name)
    if (existing !== undefined) return existing
    const config = { name: sample.name, help: sample.help, registers: [registry] }
    let labelNames: string[] = []
    let metric: Counter | Gauge | Histogram
    if (sample.kind === 'observations') {
      metric = new Histogram({ ...config, buckets: [...sample.buckets] })
    } else {
      labelNames = Object.keys(sample.labels ?? {}).sort()
      metric =
        sample.kind === 'counter'
          ? new Counter({ ...config, labelNames })
          : new Gauge({ ...config, labelNames })
    }
    const created: Exported = { kind: sample.kind, labelNames, metric, series: new Set() }
    exported.set(sample.name, created)
    return created
  }

  const update = (samples: readonly MetricSample[]): void => {
    // totals of series folded into `other` are summed before they are compared with the last scrape
    const counterTotals = new Map<
      string,
      { exported: Exported; labels: Record<string, string>; total: number }
    >()
    for (const sample of samples) {
      const target = exporterFor(sample)
      if (target.kind !== sample.kind) continue
      if (sample.kind === 'observations') {
        for (const value of sample.values) (target.metric as Histogram).observe(value)
        continue
      }
      const labels = boundedLabels(target, sample.labels ?? {})
      const key = `${sample.name}${seriesKey(labels)}`
      if (sample.kind === 'gauge') {
        ;(target.metric as Gauge).set(labels, sample.value)
        continue
      }
      const entry = counterTotals.get(key) ?? { exported: target, labels, total: 0 }
      entry.total += sample.value
      counterTotals.set(key, entry)
    }
    // prom-client counters only go up by increments and the node reports totals: add the difference
    // (a total that went down means the source restarted: add it whole)
    for (const [key, { exported: target, labels, total }] of counterTotals) {
      const last = lastTotals.get(key)
      lastTotals.set(key, total)
      const delta = last === undefined ? total : total >= last ? total - last : total
      ;(target.metric as Counter).inc(labels, delta)
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      update(node.metrics())
      return registry.metrics()
    },
  }
}

/** The sample's labels in the metric's label order, or all `other` once the metric has its fill of series. */
function boundedLabels(target: Exported, labels: Readonly<Record<string, string>>): Record<string, string> {
  const ordered: Record<string, string> = {}
  for (const name of target.labelNames) ordered[name] = labels[name] ?? ''
  const key = seriesKey(ordered)
  if (target.series.has(key)) return ordered
  if (target.series.size < MAX_SERIES_PER_METRIC - 1) {
    target.series.add(key)
    return ordered
  }
  const other: Record<string, string> = {}
  for (const name of target.labelNames) other[name] = 'other'
  target.series.add(seriesKey(other))
  return other
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(labels)
}
