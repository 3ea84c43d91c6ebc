/**
 * Liveness: when the run ends (the liveness phase stopped every fault and waited up to its bound), every
 * live node sees every live node alive and every down node failed, left or forgotten: one correct view.
 */
import type { Checker, CheckerContext, RunView } from '../checker.ts'

/** The first wrong belief in `run`, or undefined when every live node holds the truth. */
export function firstWrongBelief(run: RunView): string | undefined {
  const { truth } = run
  for (let observer = 0; observer < run.ids.length; observer++) {
    if (!truth.isUp(observer)) continue
    for (let subject = 0; subject < run.ids.length; subject++) {
      if (subject === observer) continue
      const state = run.stateOf(observer, subject)
      const seenAlive = state === 'alive' || state === 'suspect'
      if (truth.isUp(subject) ? state !== 'alive' : seenAlive) {
        return `n${observer} sees n${subject} as ${state ?? 'unknown'} but it is ${truth.isUp(subject) ? 'up' : 'down'}`
      }
    }
  }
  return undefined
}

export function liveness(context: CheckerContext): Checker {
  return {
    name: 'liveness',
    finish(run) {
      const wrong = firstWrongBelief(run)
      if (wrong !== undefined)
        context.violate('liveness', run.now, `no single correct view at the end: ${wrong}`)
    },
  }
}
