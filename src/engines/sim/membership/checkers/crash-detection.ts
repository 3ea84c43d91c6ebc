/**
 * Crash detection: every crash or leave (of a node that stays down) must be marked failed or left by
 * every observer that is up and never departed itself, by the end of the run, when faults have stopped
 * (`missed` = 0). Also measures the detection time of each crash: until the last such observer marked it.
 * The run's report carries the samples; the seed suite bounds their p99 by the configuration.
 */
import type { Millis } from '../../../../kernel/index.ts'
import type { Checker, CheckerContext, RunView } from '../checker.ts'
import type { Departure } from '../ground-truth.ts'
import { membershipEvent } from '../membership-events.ts'

export interface CrashDetectionChecker extends Checker {
  /** Detection times and misses, over the observers up at `run.now` that never departed. */
  detections(run: RunView): { samples: Millis[]; missed: number }
}

export function crashDetection(context: CheckerContext): CrashDetectionChecker {
  const { truth } = context
  /** For each departure, when each observer first marked it failed or left. */
  const marks = new Map<Departure, Map<number, Millis>>()
  const observersAt = (run: RunView): number[] =>
    run.ids.map((_, i) => i).filter((i) => truth.isUp(i) && !truth.everDeparted(i))
  const detections = (run: RunView): { samples: Millis[]; missed: number } => {
    const observers = observersAt(run)
    const samples: Millis[] = []
    let missed = 0
    for (const departure of truth.departures) {
      if (departure.restartedAt !== Number.POSITIVE_INFINITY) continue
      const marked = marks.get(departure)
      let latest = departure.at
      let complete = true
      for (const observer of observers) {
        const at = marked?.get(observer)
        if (at === undefined) {
          complete = false
          break
        }
        latest = Math.max(latest, at)
      }
      if (complete) samples.push(latest - departure.at)
      else missed++
    }
    return { samples, missed }
  }
  return {
    name: 'crash-detection',
    detections,
    onEvent(observer, nodeEvent, at) {
      const event = membershipEvent(nodeEvent)
      if (event?.type !== 'MemberFailed' && event?.type !== 'MemberLeft') return
      const subject = context.indexOf(event.id)
      if (subject === undefined) return
      const departure = truth.departureAt(subject, at)
      if (departure === undefined) return
      const marked = marks.get(departure) ?? new Map<number, Millis>()
      marks.set(departure, marked)
      if (!marked.has(observer)) marked.set(observer, at)
    },
    finish(run) {
      const { missed } = detections(run)
      if (missed > 0) {
        context.violate(
          'crash-detection',
          run.now,
          `${missed} departures never marked by every live observer`,
        )
      }
    },
  }
}
