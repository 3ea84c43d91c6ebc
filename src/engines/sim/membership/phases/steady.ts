/** A quiet stretch before the faults (checkers still run); measures its bytes per node per second. */
import type { Phase } from '../phase.ts'

export const steadyPhase: Phase = {
  name: 'steady',
  run(c, progress) {
    progress('steady state')
    const bytesBefore = c.host.traffic.bytesSent
    const start = c.scheduler.now
    c.runFor(c.scenario.steadyMs)
    c.measurements.steadyBytesPerNodePerSecond =
      (c.host.traffic.bytesSent - bytesBefore) / c.scenario.nodes / ((c.scheduler.now - start) / 1000)
  },
}
