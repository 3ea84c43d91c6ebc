export { ActiveView } from './active-view.ts'
export {
  decodeMessage,
  encodedMessageBytes,
  encodeMessage,
  OVERLAY_MAX_FRAME_BYTES,
  OVERLAY_WIRE_VERSION,
} from './codec.ts'
export {
  HOSTILE_OVERLAY,
  LAN_OVERLAY,
  MAX_SAMPLE_IDS,
  MOBILE_OVERLAY,
  OVERLAY_PRESETS,
  type OverlayConfig,
  overlayConfig,
  shuffleSampleSize,
  WAN_OVERLAY,
} from './config.ts'
export { type Handshake, type HandshakeKind, Handshakes } from './handshakes.ts'
export { type Candidate, repairCandidate, type Swap, swapCandidate } from './link-policy.ts'
export {
  OVERLAY_EVENTS,
  OVERLAY_PROTOCOL,
  type OverlaySettings,
  overlayModule,
} from './module.ts'
export { type Outgoing, Overlay, type OverlayInit } from './overlay.ts'
export { PassiveView } from './passive-view.ts'
export type { MessageCounts, OverlayStats } from './stats.ts'
export {
  type NeighborDownReason,
  type NeighborPriority,
  OVERLAY_MESSAGE_TYPES,
  type OverlayEvent,
  type OverlayEventType,
  type OverlayMessage,
  type OverlayMessageType,
} from './types.ts'
