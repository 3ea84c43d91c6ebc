/** The membership events among a node's events (checkers of other protocols look at their own). */
import type { NodeEvent } from '../../../node/index.ts'
import { MEMBERSHIP_PROTOCOL, type MembershipEvent } from '../../../protocols/membership/index.ts'

export function membershipEvent(event: NodeEvent): MembershipEvent | undefined {
  return event.protocol === MEMBERSHIP_PROTOCOL ? (event.event as MembershipEvent) : undefined
}
