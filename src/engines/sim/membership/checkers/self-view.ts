/**
 * A node's view of itself: it never reports a verdict about itself (suspected, failed, left — it refutes
 * instead), it holds itself alive unless it is leaving, and its incarnation never goes down within one
 * life. The core guards each (`Membership.accused`, `refute`, `nextIncarnation`); this checker is what
 * notices when a change to the core drops a guard.
 */
import type { Checker, CheckerContext } from '../checker.ts'
import { membershipEvent } from '../membership-events.ts'

export function selfView(context: CheckerContext): Checker {
  // Each node's life and incarnation at the last step (life −1: not seen yet). Arrays, not a map of
  // objects: this runs for every node every 10 ms, and an object per node per step was most of its cost.
  let lastLife = new Float64Array(0)
  let lastIncarnation = new Float64Array(0)
  return {
    name: 'self-view',
    onEvent(observer, nodeEvent, at) {
      const event = membershipEvent(nodeEvent)
      if (event?.type !== 'MemberSuspected' && event?.type !== 'MemberFailed' && event?.type !== 'MemberLeft')
        return
      if (context.indexOf(event.id) === observer) {
        context.violate('self-view', at, `n${observer} reported itself ${event.type}`)
      }
    },
    onStep(run) {
      if (lastLife.length !== run.ids.length) {
        lastLife = new Float64Array(run.ids.length).fill(-1)
        lastIncarnation = new Float64Array(run.ids.length)
      }
      for (let i = 0; i < run.ids.length; i++) {
        const incarnation = run.incarnationOf(i)
        if (incarnation === undefined) continue
        if (run.stateOf(i, i) !== 'alive' && !run.isLeaving(i)) {
          context.violate('self-view', run.now, `n${i} holds itself as ${run.stateOf(i, i)}`)
        }
        // a restart is a new life, whose incarnation starts over
        const life = context.truth.lifeOf(i)
        if (lastLife[i] === life && incarnation < (lastIncarnation[i] as number)) {
          context.violate('self-view', run.now, `n${i} incarnation went down to ${incarnation}`)
        }
        lastLife[i] = life
        lastIncarnation[i] = incarnation
      }
    },
  }
}
