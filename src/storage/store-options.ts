/**
 * The state store's options: plain data, each default with its reason, validated once at open so a bad
 * value is a clear INVALID_CONFIG naming the option rather than a surprise on the write path.
 */
import { DEFAULT_MAX_FRAME_BYTES, MeshError } from '../kernel/index.ts'

/**
 * How a commit reaches the disk, SQLite's `PRAGMA synchronous` in WAL mode (sqlite.org/pragma.html#pragma_synchronous):
 * - `full`: the WAL is fsync'ed at every commit, so a commit survives a power loss or a kernel crash.
 * - `normal`: the WAL is fsync'ed only at checkpoints; a commit survives the process being killed, but
 *   the last commits may be rolled back by a power loss. That breaks the durability rule (persist before
 *   acknowledging) for whole-machine failures, so it is here for measurement, not for a node.
 */
export type Synchronous = 'full' | 'normal'

/**
 * The structural check at open (sqlite.org/pragma.html#pragma_integrity_check):
 * - `full`: `PRAGMA integrity_check`: every page and b-tree, and every index entry against its row.
 * - `quick`: `PRAGMA quick_check`: the same but for the index entries. It finds garbage headers,
 *   truncation and flipped bytes in page structure, but not a damaged entry in the log's per-object
 *   index, which compaction deletes through (state-store-corruption.test.ts shows one it misses).
 * - `off`: neither; the meta row and the row checksums are still verified.
 * On a 139 MB store (bench/state-store.ts) quick took 0.20 s and full 0.24 s, warm; a store holds
 * compacted state and is usually a few MB, where either is a few ms. `full` is the default because it
 * is the only one that covers the index; a node with a very large store may choose `quick`.
 */
export type IntegrityCheck = 'quick' | 'full' | 'off'

export interface StateStoreOptions {
  /** @default 'full' — the durability rule: a local write is on disk before it is acknowledged. */
  readonly synchronous: Synchronous
  /** @default 'full' — see `IntegrityCheck`; the cost is measured in bench/state-store.ts. */
  readonly integrityCheck: IntegrityCheck
  /**
   * How long an open waits for another connection's lock before it gives up with UNAVAILABLE.
   * @default 1000 — long enough for a node that is closing the store to finish, short enough that a
   * second node on the same file fails at once (the lock is held for as long as the store is open).
   */
  readonly busyTimeoutMs: number
  /** @default 256 — the anti-entropy digest's bound on an object name (protocols/antientropy/config.ts). */
  readonly maxNameBytes: number
  /** @default 64 — type strings are short tags such as `topN`. */
  readonly maxTypeBytes: number
  /** @default 1 MiB — the frame bound (kernel DEFAULT_MAX_FRAME_BYTES): a delta must fit one broadcast. */
  readonly maxDeltaBytes: number
  /** @default 64 MiB — a snapshot is read whole into memory at load; SQLite's own limit is 1 GB. */
  readonly maxSnapshotBytes: number
  /** @default 10,000 — objects are few and named by the application, not by peers. */
  readonly maxObjects: number
  /**
   * Deltas in the log, over all objects, before an append is refused with CAPACITY_EXCEEDED: the log is
   * a queue that only a snapshot drains, so it has a bound like every other queue.
   * @default 1,000,000 — about 4 s of loading (3.8 µs a 100-byte delta, bench/state-store.ts); a log
   * that long means compaction stalled.
   */
  readonly maxLogDeltas: number
}

export const DEFAULT_STATE_STORE_OPTIONS: StateStoreOptions = Object.freeze({
  synchronous: 'full',
  integrityCheck: 'full',
  busyTimeoutMs: 1_000,
  maxNameBytes: 256,
  maxTypeBytes: 64,
  maxDeltaBytes: DEFAULT_MAX_FRAME_BYTES,
  maxSnapshotBytes: 64 * 1_048_576,
  maxObjects: 10_000,
  maxLogDeltas: 1_000_000,
})

const SYNCHRONOUS: readonly Synchronous[] = ['full', 'normal']
const INTEGRITY_CHECKS: readonly IntegrityCheck[] = ['quick', 'full', 'off']

export function stateStoreOptions(overrides: Partial<StateStoreOptions> = {}): StateStoreOptions {
  const options = { ...DEFAULT_STATE_STORE_OPTIONS, ...overrides }
  oneOf('synchronous', options.synchronous, SYNCHRONOUS)
  oneOf('integrityCheck', options.integrityCheck, INTEGRITY_CHECKS)
  for (const [name, value] of Object.entries(options)) {
    if (name === 'synchronous' || name === 'integrityCheck') continue
    const least = name === 'busyTimeoutMs' ? 0 : 1
    if (!(Number.isSafeInteger(value) && (value as number) >= least)) {
      throw new MeshError(
        'INVALID_CONFIG',
        `state store ${name} must be an integer ≥ ${least}, got ${value}`,
        {
          name,
          value,
        },
      )
    }
  }
  return Object.freeze(options)
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new MeshError(
      'INVALID_CONFIG',
      `state store ${name} must be one of ${allowed.join(', ')}, got ${String(value)}`,
      { name, value },
    )
  }
}
