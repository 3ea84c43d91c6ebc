export { actorOf, writtenBy } from './admission.ts'
export { BATCH_VERSION, type BatchEnvelope, openBatch, sealBatch } from './batch.ts'
export { decodeReplicationMessage, encodeReplicationMessage, REPLICATION_WIRE_VERSION } from './codec.ts'
export { DEFAULT_REPLICATION_CONFIG, type ReplicationConfig, replicationConfig } from './config.ts'
export { STATE_CHANNEL, STATE_EVENTS, STATE_PROTOCOL, type StateSettings, stateModule } from './module.ts'
export { applyOperation, emptyState, specOf } from './operations.ts'
export { Replication, type ReplicationInit } from './replication.ts'
export {
  isStateType,
  type ObjectChangedEvent,
  type ObjectSpec,
  OPS_OF_TYPE,
  type ReplicationEvent,
  type ReplicationMessage,
  type ReplicationRejection,
  STATE_TYPES,
  type StateOp,
  type StateType,
} from './types.ts'
