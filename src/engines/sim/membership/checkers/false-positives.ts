/**
 * No false positives, on every seed: a member that is up and never crashed or left must not be declared
 * failed by an observer that could reach it.
 *
 * "Could reach it" is judged from the ground truth of the cuts: the observer and the subject were on the
 * same side of every cut in force at the time of the verdict. Excused, and nothing else:
 * - a verdict while a cut separates the two (the observer cannot tell a cut from a crash);
 * - a verdict by an observer that was on the other side of a cut, within `lastWordLeadMaxMs` after that
 *   cut healed. Why: an observer convicts only after asking the suspect directly and waiting one lead
 *   (`Membership`: the last words, at most 2 × probeTimeoutMaxMs before conviction). A conviction that
 *   soon after the heal had its first question sent while the cut was in force, so it was lost and the
 *   verdict rests on what the observer saw behind the cut. Later than that the suspect had the time to
 *   answer, and a verdict is a violation.
 * Verdicts about members that crashed or left at any time are not judged (a restarted node's earlier
 * life is reported in many ways). Loss is never an excuse: at any loss rate the suspect is asked five
 * times, and a member a verdict wrongly kills is a real failure of the protocol.
 */
import type { Checker, CheckerContext } from '../checker.ts'
import { membershipEvent } from '../membership-events.ts'

export interface FalsePositiveChecker extends Checker {
  /** Distinct live subjects wrongly declared failed. */
  readonly subjects: ReadonlySet<number>
  /** Wrong verdicts, counted per observer and subject. */
  readonly events: number
}

export function falsePositives(context: CheckerContext): FalsePositiveChecker {
  const { truth, config } = context
  const lastWordLeadMaxMs = 2 * config.probeTimeoutMaxMs
  const subjects = new Set<number>()
  const checker = {
    name: 'false-positives',
    subjects,
    events: 0,
    onEvent(observer: number, nodeEvent: Parameters<NonNullable<Checker['onEvent']>>[1], at: number): void {
      const event = membershipEvent(nodeEvent)
      if (event?.type !== 'MemberFailed') return
      const subject = context.indexOf(event.id)
      if (subject === undefined || truth.everDeparted(subject) || !truth.isUp(subject)) return
      if (truth.separated(observer, subject, at)) return
      if (truth.separatedWithin(observer, subject, at, lastWordLeadMaxMs)) return
      checker.events++
      if (!subjects.has(subject)) {
        context.violate(
          checker.name,
          at,
          `n${observer} declared live n${subject} failed (incarnation ${event.incarnation}) with no cut between them`,
        )
      }
      subjects.add(subject)
    },
  }
  return checker
}
