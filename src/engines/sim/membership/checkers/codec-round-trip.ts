/**
 * The codecs round-trip: in wire mode every message is encoded by its sender and decoded by every
 * receiver, and since every peer here is honest, no frame may be refused. (Outside wire mode messages
 * pass by reference and this checker has nothing to judge; the seed suite runs a share of seeds wired.)
 */
import type { Checker, CheckerContext } from '../checker.ts'

export function codecRoundTrip(context: CheckerContext): Checker {
  return {
    name: 'codec-round-trip',
    finish(run) {
      let total = 0
      for (const count of run.rejections.values()) total += count
      if (total === 0) return
      const reasons = [...run.rejections].map(([reason, count]) => `${reason} ×${count}`).join(', ')
      context.violate('codec-round-trip', run.now, `${total} honest frames failed to decode (${reasons})`)
    },
  }
}
