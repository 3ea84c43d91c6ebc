/** Crashes nodes one after another; some leave gracefully first, some restart after a while. */
import type { Phase } from '../phase.ts'

/** How long a leaving node keeps running to let its leave announcement out (as the daemon will). */
const LEAVE_FLUSH_MS = 200

export const crashPhase: Phase = {
  name: 'crash',
  run(c, progress) {
    const s = c.scenario
    const spacingMs = s.crashSpacingMs * c.scale
    const victims = c.random.sample(
      c.ids.map((_, i) => i),
      Math.min(s.crashes, Math.max(0, s.nodes - 2)),
    )
    if (victims.length > 0) progress(`crashing ${victims.length} nodes`)
    // a separate stream, so that adding graceful leaves did not change which nodes each seed crashes
    const leaveRandom = c.root.fork('leaves')
    for (const victim of victims) {
      if (leaveRandom.chance(s.leaveProbability)) {
        // a graceful leave: announce, keep the process up for a short flush, then stop it
        c.truth.departing(victim, c.scheduler.now, true)
        c.host.poke(victim, (node, now) => node.hint(now, { kind: 'leave' }))
        c.runFor(LEAVE_FLUSH_MS * c.scale)
      } else {
        c.truth.departing(victim, c.scheduler.now, false)
      }
      c.stop(victim)
      c.runFor(spacingMs)
      if (c.random.chance(s.restartProbability)) c.restart(victim)
    }
    c.runFor(spacingMs)
  },
}
