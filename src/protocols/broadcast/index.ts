export {
  BROADCAST_WIRE_VERSION,
  decodeBroadcastMessage,
  encodeBroadcastMessage,
  encodedBroadcastBytes,
  MAX_ROUND,
} from './codec.ts'
export { type BroadcastConfig, broadcastConfig, DEFAULT_BROADCAST_CONFIG } from './config.ts'
export { BROADCAST_EVENTS, BROADCAST_PROTOCOL, type BroadcastSettings, broadcastModule } from './module.ts'
export { messageKey, Plumtree, type PlumtreeInit } from './plumtree.ts'
export type {
  Announcement,
  BroadcastEvent,
  BroadcastMessage,
  DeliveredEvent,
  GossipMessage,
  GraftMessage,
  IHaveMessage,
  MessageId,
  PruneMessage,
} from './types.ts'
