/**
 * Node events as one readable line each, for people: the daemon's log and `meshwork start`'s live
 * log both print these, so a reader learns one wording. The subject comes first ("n3 FAILED"), failures
 * and partitions in capitals so they stand out in a scrolling log. Peer ids are shortened unless the
 * caller knows names for them (a local cluster's n0, n1, …).
 *
 * Part of `api/` for the dashboard too, so it imports nothing from Node.
 */
import type { NodeEvent } from './types.ts'

export type NameOf = (peerId: string) => string

/** `12D3KooW…kSCVe2Xo`: the prefix says the key type, the suffix tells peers apart. */
export function shortPeerId(peerId: string): string {
  return peerId.length <= 20 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-8)}`
}

/** An event of a module this version does not know yet: its module and type are still worth a line. */
export interface OtherEvent {
  readonly type: string
  readonly protocol?: string
}

export function describeEvent(event: NodeEvent | OtherEvent, nameOf: NameOf = shortPeerId): string {
  return isMembershipEvent(event)
    ? describeMembershipEvent(event, nameOf)
    : `${event.protocol ?? 'node'}: ${event.type}`
}

function isMembershipEvent(event: NodeEvent | OtherEvent): event is NodeEvent {
  return event.protocol === 'membership'
}

function describeMembershipEvent(event: NodeEvent, nameOf: NameOf): string {
  switch (event.type) {
    case 'MemberJoined':
      return `${nameOf(event.member.id)} joined`
    case 'MemberUpdated':
      return `${nameOf(event.member.id)} changed its record (incarnation ${event.member.incarnation})`
    case 'MemberSuspected':
      return `${nameOf(event.id)} is suspected (accused by ${nameOf(event.from)})`
    case 'MemberAlive':
      return `${nameOf(event.id)} is alive again (incarnation ${event.incarnation})`
    case 'MemberFailed':
      return `${nameOf(event.id)} FAILED`
    case 'MemberLeft':
      return `${nameOf(event.id)} left`
    case 'PartitionDetected':
      return `PARTITION: reaches ${event.reachable} of ${event.known} members`
    case 'PartitionHealed':
      return `partition healed: reaches ${event.reachable} of ${event.known} members`
  }
}
