/** Verdicts name real members: a node never reports a member id that no node has. */
import type { Checker, CheckerContext } from '../checker.ts'
import { membershipEvent } from '../membership-events.ts'

export function knownSubjects(context: CheckerContext): Checker {
  return {
    name: 'known-subjects',
    onEvent(observer, nodeEvent, at) {
      const event = membershipEvent(nodeEvent)
      if (event === undefined || !('id' in event)) return
      if (context.indexOf(event.id) === undefined) {
        context.violate(
          'known-subjects',
          at,
          `n${observer} reported ${event.type} about unknown member ${event.id}`,
        )
      }
    },
  }
}
