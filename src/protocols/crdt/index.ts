/**
 * Replicated data types: pure delta-state CRDTs with canonical, versioned binary codecs. The replication
 * service (next) keeps them durable and spreads their deltas; nothing here does I/O.
 */
export { AwSet } from './aw-set.ts'
export {
  type AnyCrdt,
  CRDT_CODEC_VERSION,
  decodeCrdt,
  encodeCrdt,
  readCrdt,
  writeCrdt,
} from './codec.ts'
export { GCounterMap, PnCounterMap } from './counter-map.ts'
export {
  type ActorId,
  CRDT_TYPES,
  type Crdt,
  type CrdtLimits,
  type CrdtType,
  compareBytes,
  DEFAULT_CRDT_LIMITS,
  isCrdtType,
} from './crdt.ts'
export { FINGERPRINT_BYTES, fingerprint, fingerprintHex } from './fingerprint.ts'
export { compareTimestamps, HybridClock, type Timestamp } from './hlc.ts'
export { LwwMap } from './lww-map.ts'
export { type TopNEntry, TopNMap } from './top-n-map.ts'
