/**
 * Membership data: member records, the updates that gossip carries, wire messages and events.
 * Messages and events are discriminated unions; events are named in the past tense.
 */
import type { ConnectionClass, Millis, NodeId } from '../../kernel/index.ts'

export type MemberState = 'alive' | 'suspect' | 'failed' | 'left'

/** Alive or suspect: a member not known to be gone, which probes, the monitoring ring and gossip reach. */
export function isNotGone(state: MemberState): boolean {
  return state === 'alive' || state === 'suspect'
}

/** What a node says about itself; carried in its alive record and shown by the control API. */
export interface MemberProfile {
  readonly labels: readonly string[]
  /** Task slots this node offers. */
  readonly capacity: number
  readonly memoryMb: number
  readonly connectionClass: ConnectionClass
  readonly region: string
  /** Hidden nodes take part in membership but are not offered work or shown by default. */
  readonly hidden: boolean
}

/**
 * A member as one node knows it. Only the member itself raises its incarnation (to refute), and only the
 * member itself can sign it: `signature` covers the id, incarnation, addresses and profile
 * (`signedRecordBytes` in codec.ts), not the state, which is the holder's view of the member.
 */
export interface MemberRecord {
  readonly id: NodeId
  readonly incarnation: number
  readonly state: MemberState
  readonly addresses: readonly string[]
  readonly profile: MemberProfile
  readonly signature: Uint8Array
}

/** A change that gossip spreads. Newer knowledge about a member supersedes older in the queues. */
export type MemberUpdate =
  | { readonly kind: 'alive'; readonly record: MemberRecord }
  | { readonly kind: 'suspect'; readonly id: NodeId; readonly incarnation: number; readonly from: NodeId }
  | { readonly kind: 'failed'; readonly id: NodeId; readonly incarnation: number; readonly from: NodeId }
  | { readonly kind: 'left'; readonly id: NodeId; readonly incarnation: number }

export type MembershipMessage =
  /** Direct probe. `seq` is local to the sender and comes back in the ack. */
  | { readonly type: 'ping'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  | { readonly type: 'ack'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  /** Ask the receiver to probe `target` on the sender's behalf (SWIM indirect probe). */
  | {
      readonly type: 'ping-req'
      readonly seq: number
      readonly target: NodeId
      readonly updates: readonly MemberUpdate[]
    }
  /** Lifeguard: the helper could not reach the target, but it is alive and did try. */
  | { readonly type: 'nack'; readonly seq: number }
  | { readonly type: 'gossip'; readonly updates: readonly MemberUpdate[] }
  /** Full state exchange: on join, periodically, and when a failed member answers again. */
  | {
      readonly type: 'push-pull'
      readonly join: boolean
      readonly reply: boolean
      readonly records: readonly MemberRecord[]
    }
  /**
   * The digest of the sender's view (`view-digest.ts`) and how many records it covers, itself included:
   * the periodic exchange opens with it, and the receiver answers with a full push-pull only if its own
   * view differs.
   */
  | { readonly type: 'state-digest'; readonly digest: number; readonly members: number }

export type MessageType = MembershipMessage['type']

export type MembershipEvent =
  | { readonly type: 'MemberJoined'; readonly at: Millis; readonly member: MemberRecord }
  | {
      readonly type: 'MemberSuspected'
      readonly at: Millis
      readonly id: NodeId
      readonly incarnation: number
      readonly from: NodeId
    }
  | { readonly type: 'MemberAlive'; readonly at: Millis; readonly id: NodeId; readonly incarnation: number }
  /** A live member's record changed: new addresses or a new profile, at a higher incarnation. */
  | { readonly type: 'MemberUpdated'; readonly at: Millis; readonly member: MemberRecord }
  | { readonly type: 'MemberFailed'; readonly at: Millis; readonly id: NodeId; readonly incarnation: number }
  | { readonly type: 'MemberLeft'; readonly at: Millis; readonly id: NodeId; readonly incarnation: number }
  | {
      readonly type: 'PartitionDetected'
      readonly at: Millis
      readonly reachable: number
      readonly known: number
    }
  | {
      readonly type: 'PartitionHealed'
      readonly at: Millis
      readonly reachable: number
      readonly known: number
    }

export type MembershipEventType = MembershipEvent['type']

export const DEFAULT_PROFILE: MemberProfile = Object.freeze({
  labels: Object.freeze([]) as readonly string[],
  capacity: 1,
  memoryMb: 0,
  connectionClass: 'lan',
  region: '',
  hidden: false,
})
