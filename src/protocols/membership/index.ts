export { Awareness } from './awareness.ts'
export { BroadcastQueue } from './broadcast-queue.ts'
export {
  decodeMessage,
  encodedMessageBytes,
  encodedUpdateBytes,
  encodeMessage,
  MEMBERSHIP_WIRE_VERSION,
  recordLimitProblem,
  signedRecordBytes,
  WIRE_LIMITS,
} from './codec.ts'
export {
  HOSTILE_CONFIG,
  LAN_CONFIG,
  type MembershipConfig,
  MOBILE_CONFIG,
  membershipConfig,
  PRESETS,
  WAN_CONFIG,
} from './config.ts'
export { Membership, type MembershipInit, type MembershipStats, type Outgoing } from './membership.ts'
export {
  MEMBERSHIP_EVENTS,
  MEMBERSHIP_PROTOCOL,
  type MembershipSettings,
  membershipModule,
} from './module.ts'
export { PartitionDetector } from './partition-detector.ts'
export { Suspicion } from './suspicion.ts'
export {
  DEFAULT_PROFILE,
  type MemberProfile,
  type MemberRecord,
  type MemberState,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipMessage,
  type MemberUpdate,
  type MessageType,
} from './types.ts'
