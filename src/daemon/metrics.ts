/**
 * The node's Prometheus metrics. The node keeps plain cumulative numbers (`RunningNode.metrics()`); this
 * file turns them into prom-client metrics at scrape time, so the engine never depends on prom-client and
 * one scrape reads the node exactly once (probe round trips are drained by that read).
 *
 * Each exporter has its own registry, so several nodes (or tests) in one process do not share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { NodeMetrics, NodeStatus, RunningNode } from '../node/index.ts'

/** From a LAN's sub-millisecond round trips to a hostile link's seconds. */
const PROBE_RTT_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const

/**
 * Rejection reasons become label values; a node that invented new ones without end would blow up the
 * scrape, so reasons past this many are counted under `other`.
 */
export const MAX_REJECT_REASONS = 32

const MEMBER_STATES = ['alive', 'suspect', 'failed', 'left'] as const

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

export function createMetrics(
  node: Pick<RunningNode, 'status' | 'metrics'>,
  options: MetricsOptions = {},
): MetricsExporter {
  const registry = new Registry()
  // prom-client samples event-loop lag every 10 ms by default: 100 wake-ups a second, a measurable part of
  // an idle node's CPU. Lag that matters to membership (probe timeouts ≥ 50 ms) shows at 50 ms resolution.
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 })
  const members = new Gauge({
    name: 'meshwork_members',
    help: 'Members this node knows, by state',
    labelNames: ['state'],
    registers: [registry],
  })
  const probeRtt = new Histogram({
    name: 'meshwork_probe_rtt_seconds',
    help: 'Round trip of membership probes',
    buckets: [...PROBE_RTT_BUCKETS_SECONDS],
    registers: [registry],
  })
  const messages = new Counter({
    name: 'meshwork_messages_total',
    help: 'Membership messages sent (out) and received (in)',
    labelNames: ['direction'],
    registers: [registry],
  })
  const bytes = new Counter({
    name: 'meshwork_bytes_total',
    help: 'Bytes of membership frames sent (out) and received (in)',
    labelNames: ['direction'],
    registers: [registry],
  })
  const rejected = new Counter({
    name: 'meshwork_rejected_frames_total',
    help: 'Frames dropped on receipt, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const admissionFailures = new Counter({
    name: 'meshwork_admission_failures_total',
    help: 'Connections refused by realm admission',
    registers: [registry],
  })
  const disconnects = new Counter({
    name: 'meshwork_peers_disconnected_total',
    help: 'Peers disconnected for misbehaviour',
    registers: [registry],
  })
  for (const direction of ['in', 'out']) {
    messages.inc({ direction }, 0)
    bytes.inc({ direction }, 0)
  }
  admissionFailures.inc(0)
  disconnects.inc(0)

  const advance = counterAdvancer()
  const update = (status: NodeStatus, sample: NodeMetrics): void => {
    for (const state of MEMBER_STATES) members.set({ state }, status.members[state])
    for (const rttMs of sample.probeRoundTripsMs) probeRtt.observe(rttMs / 1000)
    advance('messages in', sample.messagesIn, (delta) => messages.inc({ direction: 'in' }, delta))
    advance('messages out', sample.messagesOut, (delta) => messages.inc({ direction: 'out' }, delta))
    advance('bytes in', sample.bytesIn, (delta) => bytes.inc({ direction: 'in' }, delta))
    advance('bytes out', sample.bytesOut, (delta) => bytes.inc({ direction: 'out' }, delta))
    advance('admission', sample.admissionFailures, (delta) => admissionFailures.inc(delta))
    advance('disconnects', sample.peersDisconnected, (delta) => disconnects.inc(delta))
    for (const [reason, total] of boundedReasons(sample.rejectedFrames)) {
      advance(`rejected ${reason}`, total, (delta) => rejected.inc({ reason }, delta))
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      update(node.status(), node.metrics())
      return registry.metrics()
    },
  }
}

/**
 * prom-client counters only go up by increments; the node reports totals. This remembers the last total
 * of each series and adds the difference (a total that went down means the source restarted: add it whole).
 */
function counterAdvancer() {
  const lastTotals = new Map<string, number>()
  return (series: string, total: number, increment: (delta: number) => void): void => {
    const last = lastTotals.get(series) ?? 0
    lastTotals.set(series, total)
    const delta = total >= last ? total - last : total
    if (delta > 0) increment(delta)
  }
}

/** The node's reasons, with those past `MAX_REJECT_REASONS` (in sorted order) summed as `other`. */
function boundedReasons(byReason: Readonly<Record<string, number>>): Map<string, number> {
  const reasons = Object.keys(byReason).sort()
  const totals = new Map<string, number>()
  reasons.forEach((reason, index) => {
    const label = index < MAX_REJECT_REASONS ? reason : 'other'
    totals.set(label, (totals.get(label) ?? 0) + (byReason[reason] ?? 0))
  })
  return totals
}
