/**
 * Partition detection: for every cut, every node of a side that lost more than (1 − quorum) of the
 * cluster reports the partition while the cut is in force (`PartitionDetected` after the cut began and
 * no later than its heal), if it was up for the whole cut.
 */
import type { Millis } from '../../../../kernel/index.ts'
import type { Checker, CheckerContext } from '../checker.ts'
import { membershipEvent } from '../membership-events.ts'

export function partitionDetected(context: CheckerContext): Checker {
  const { truth } = context
  /** Every node's partition reports, in order. */
  const reports = new Map<number, Millis[]>()
  return {
    name: 'partition-detected',
    onEvent(node, nodeEvent, at) {
      if (membershipEvent(nodeEvent)?.type !== 'PartitionDetected') return
      const list = reports.get(node) ?? []
      reports.set(node, list)
      list.push(at)
    },
    finish(run) {
      for (const cut of truth.cuts) {
        const end = Math.min(cut.until, run.now)
        for (let node = 0; node < run.ids.length; node++) {
          if (!cut.mustReport.includes(cut.groups[node] as number)) continue
          const downDuring = truth.departures.some(
            (d) => d.node === node && d.at < end && d.restartedAt > cut.from,
          )
          if (downDuring || !truth.isUp(node)) continue
          const reported = (reports.get(node) ?? []).some((at) => at >= cut.from && at <= end)
          if (!reported) {
            context.violate(
              'partition-detected',
              end,
              `n${node} (side ${cut.groups[node]}) never reported the partition of ${cut.from.toFixed(0)} ms`,
            )
            return
          }
        }
      }
    },
  }
}
