/** Starts every node (joining through seeds over a spread, or knowing everyone); measures join convergence. */
import { StandInSigner } from '../../../../kernel/index.ts'
import {
  DEFAULT_PROFILE,
  type MemberRecord,
  signedRecordBytes,
} from '../../../../protocols/membership/index.ts'
import type { Phase } from '../phase.ts'

export const joinPhase: Phase = {
  name: 'join',
  run(c, progress) {
    const s = c.scenario
    if (s.start === 'converged') {
      const records: MemberRecord[] = c.ids.map((id, i) => {
        const record = {
          id,
          incarnation: 0,
          state: 'alive' as const,
          addresses: [`/sim/${i}`],
          profile: { ...DEFAULT_PROFILE, connectionClass: s.connectionClass },
        }
        // each node signs its own record, as it would have on its first start
        return { ...record, signature: new StandInSigner(id).sign(signedRecordBytes(record)) }
      })
      for (let i = 0; i < s.nodes; i++) c.start(i, (_node, now) => c.core(i).restore(now, records))
      c.measurements.joinConvergenceMs = 0
      return
    }
    const seeds = c.ids.slice(0, Math.min(3, s.nodes))
    const spreadMs = Math.min(2_000, s.nodes) * c.scale
    let lastStart = 0
    for (let i = 0; i < s.nodes; i++) {
      const at = i === 0 ? 0 : c.random.float() * spreadMs
      lastStart = Math.max(lastStart, at)
      c.scheduler.at(at, () =>
        c.start(i, (node, now) => node.hint(now, { kind: 'seeds', peers: i === 0 ? [] : seeds })),
      )
    }
    progress(`joining ${s.nodes} nodes`)
    c.scheduler.runUntil(lastStart)
    const joinMs = c.runUntilTrue(() => c.converged(), 60_000 * c.scale + s.nodes * 20)
    if (joinMs === null) c.violate('join-converges', c.scheduler.now, 'nodes did not all see each other')
    c.measurements.joinConvergenceMs = joinMs
  },
}
