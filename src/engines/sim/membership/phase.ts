/**
 * A phase of a simulated run: it drives the cluster for a while (starts nodes, injects faults, waits for
 * convergence), records in the ground truth what it did, and writes its measurements. A run is a list of
 * phases (`phases/`), in TigerBeetle VOPR's order: faults first with safety checked all along, then a
 * liveness phase with faults stopped. A later capability adds its phases to the list.
 */
import type { Millis } from '../../../kernel/index.ts'
import type { SimulatedCluster } from './simulation.ts'

export type Progress = (line: string) => void

/** What the membership phases measure (the report's figures); other phases keep theirs in `extra`. */
export interface RunMeasurements {
  joinConvergenceMs: Millis | null
  steadyBytesPerNodePerSecond: number
  partition: { detectedMs: number | null; healedMs: number | null } | null
  convergenceAfterFaultsMs: Millis | null
  readonly extra: Map<string, unknown>
}

export interface Phase {
  readonly name: string
  run(cluster: SimulatedCluster, progress: Progress): void
}
