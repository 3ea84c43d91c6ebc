/**
 * Watches the events of every simulated node and turns them into the run's measurements and safety
 * checks: crash detection times, false positives, partition reports. It knows the ground truth (who
 * really crashed, who is cut off from whom), which no node does.
 */
import type { Millis } from '../../../kernel/index.ts'
import type { MembershipEvent } from '../../../protocols/membership/index.ts'

interface CrashRecord {
  readonly at: Millis
  /** Simulated time at which each observer first marked the crashed node failed or gone. */
  readonly marks: Map<number, Millis>
}

export interface Violation {
  readonly checker: string
  readonly at: Millis
  readonly message: string
}

const MAX_VIOLATIONS = 20

export class MembershipObserver {
  private readonly indexOf: (id: string) => number | undefined
  private readonly crashes = new Map<number, CrashRecord>()
  /** Nodes that crashed at some point: a failure report about them is never a false positive. */
  readonly everCrashed = new Set<number>()
  /** Distinct live subjects ever declared failed, and how many such declarations there were. */
  readonly falselyFailed = new Set<number>()
  falsePositiveEvents = 0
  /** True while false positives are excusable (partition in force, or its aftermath). */
  excused: (observer: number, subject: number, at: Millis) => boolean = () => false
  /** Whether `subject` is up at this moment (ground truth). */
  isUp: (subject: number) => boolean = () => true
  /** Each node's latest partition report, and when it made it. */
  readonly partitionReports = new Map<number, { detected: boolean; at: Millis }>()
  readonly violations: Violation[] = []
  eventCount = 0

  constructor(indexOf: (id: string) => number | undefined) {
    this.indexOf = indexOf
  }

  crashed(index: number, at: Millis): void {
    this.everCrashed.add(index)
    this.crashes.set(index, { at, marks: new Map() })
  }

  /** A restart ends the measurement window for that crash (later marks are about the new life). */
  restarted(index: number): void {
    this.crashes.delete(index)
  }

  violate(checker: string, at: Millis, message: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ checker, at, message })
  }

  onEvent(observer: number, event: MembershipEvent, at: Millis): void {
    this.eventCount++
    switch (event.type) {
      case 'MemberFailed':
      case 'MemberLeft': {
        const subject = this.indexOf(event.id)
        if (subject === undefined) {
          this.violate('known-subjects', at, `node ${observer} reported unknown member ${event.id}`)
          return
        }
        if (subject === observer)
          this.violate('self-never-failed', at, `node ${observer} declared itself failed`)
        const crash = this.crashes.get(subject)
        if (crash !== undefined && !crash.marks.has(observer)) crash.marks.set(observer, at)
        if (
          event.type === 'MemberFailed' &&
          !this.everCrashed.has(subject) &&
          this.isUp(subject) &&
          !this.excused(observer, subject, at)
        ) {
          this.falsePositiveEvents++
          this.falselyFailed.add(subject)
        }
        return
      }
      case 'PartitionDetected':
        this.partitionReports.set(observer, { detected: true, at })
        return
      case 'PartitionHealed':
        this.partitionReports.set(observer, { detected: false, at })
        return
      default:
        return
    }
  }

  /**
   * Detection latency of every crash: the time until every observer in `observers` had marked the
   * crashed node failed. Crashes that some observer never marked are counted as missed.
   */
  detections(observers: readonly number[]): { samples: Millis[]; missed: number } {
    const samples: Millis[] = []
    let missed = 0
    for (const [subject, crash] of this.crashes) {
      let latest = crash.at
      let complete = true
      for (const observer of observers) {
        if (observer === subject) continue
        const mark = crash.marks.get(observer)
        if (mark === undefined) {
          complete = false
          break
        }
        if (mark > latest) latest = mark
      }
      if (complete) samples.push(latest - crash.at)
      else missed++
    }
    return { samples, missed }
  }

  /** Whether every observer has marked `subject` failed since its crash. */
  detectedByAll(subject: number, observers: readonly number[]): boolean {
    const crash = this.crashes.get(subject)
    if (crash === undefined) return false
    for (const observer of observers) if (observer !== subject && !crash.marks.has(observer)) return false
    return true
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}
