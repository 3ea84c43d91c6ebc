/** The membership run's checkers, one per file. */
import type { CheckerFactory } from '../checker.ts'
import { codecRoundTrip } from './codec-round-trip.ts'
import { knownSubjects } from './known-subjects.ts'
import { liveness } from './liveness.ts'
import { partitionDetected } from './partition-detected.ts'
import { selfView } from './self-view.ts'

export { codecRoundTrip } from './codec-round-trip.ts'
export { type CrashDetectionChecker, crashDetection } from './crash-detection.ts'
export { type FalsePositiveChecker, falsePositives } from './false-positives.ts'
export { knownSubjects } from './known-subjects.ts'
export { firstWrongBelief, liveness } from './liveness.ts'
export { partitionDetected } from './partition-detected.ts'
export { selfView } from './self-view.ts'

/**
 * Checkers that only report violations. `false-positives` and `crash-detection` also feed the report's
 * figures, so the run creates those two itself (`run.ts`).
 */
export const MEMBERSHIP_CHECKERS: readonly CheckerFactory[] = [
  knownSubjects,
  selfView,
  partitionDetected,
  liveness,
  codecRoundTrip,
]
