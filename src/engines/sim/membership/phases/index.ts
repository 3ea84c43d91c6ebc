/** The membership run's phases, one per file, in the order they run. */
import type { Phase } from '../phase.ts'
import { crashPhase } from './crash.ts'
import { joinPhase } from './join.ts'
import { livenessPhase } from './liveness.ts'
import { partitionPhase } from './partition.ts'
import { steadyPhase } from './steady.ts'

export { crashPhase, joinPhase, livenessPhase, partitionPhase, steadyPhase }

export const MEMBERSHIP_PHASES: readonly Phase[] = [
  joinPhase,
  steadyPhase,
  crashPhase,
  partitionPhase,
  livenessPhase,
]
