export { AntiEntropy, type AntiEntropyInit, antiEntropyLimits, maxObjectsPerSession } from './antientropy.ts'
export {
  ANTI_ENTROPY_WIRE_VERSION,
  type AntiEntropyLimits,
  decodeAntiEntropyMessage,
  encodeAntiEntropyMessage,
  encodedAntiEntropyBytes,
} from './codec.ts'
export {
  type AntiEntropyConfig,
  antiEntropyConfig,
  DEFAULT_ANTI_ENTROPY_CONFIG,
  DEFAULT_RBSR_CONFIG,
  type RbsrConfig,
  rbsrConfig,
} from './config.ts'
export { ID_BYTES, ItemIndex, idKey } from './item-index.ts'
export { type LocalReconciliation, reconcileLocally } from './local-reconciliation.ts'
export { ANTI_ENTROPY_PROTOCOL, type AntiEntropySettings, antiEntropyModule } from './module.ts'
export { type RbsrRejection, Reconciler, type ReconcileStep } from './rbsr.ts'
export { RBSR_VERSION } from './rbsr-codec.ts'
export type {
  AntiEntropyEvent,
  AntiEntropyMessage,
  AntiEntropyMessageType,
  AntiEntropyRejection,
  DigestEntry,
  ItemSource,
  ReconcileNeededEvent,
  ReconcilePart,
} from './types.ts'
export { OBJECT_FINGERPRINT_BYTES } from './types.ts'
