export { APPLICATION_ID, APPLICATION_NAME, SCHEMA_VERSION } from './schema.ts'
export {
  type DeltaWrite,
  StateStore,
  type StateStoreStats,
  type StoredDelta,
  type StoredObject,
} from './state-store.ts'
export type { StoreErrorData, StoreFailure } from './store-errors.ts'
export type { StoreRefusal } from './store-limits.ts'
export {
  DEFAULT_STATE_STORE_OPTIONS,
  type IntegrityCheck,
  type StateStoreOptions,
  type Synchronous,
  stateStoreOptions,
} from './store-options.ts'
