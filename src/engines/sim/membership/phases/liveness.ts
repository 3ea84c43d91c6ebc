/**
 * Faults stop; within the bound every live node must see every live node alive and every down one gone.
 * The `liveness` checker judges the view the run ends with.
 */
import type { Phase } from '../phase.ts'

export const livenessPhase: Phase = {
  name: 'liveness',
  run(c, progress) {
    c.network.setFaultRates({ lossRate: 0, duplicateRate: 0, reorderRate: 0 })
    c.network.heal()
    progress('liveness phase')
    const limitMs = 60_000 * c.scale
    c.measurements.convergenceAfterFaultsMs = c.runUntilTrue(
      () => c.converged() && c.upNodes().every((i) => c.seesDownNodesGone(i)),
      limitMs,
      false,
    )
  },
}
