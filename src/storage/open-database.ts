/**
 * Opening the store's database: SQLite's WAL journal, the lock held from open to close, the fsync
 * policy, the checks of `schema.ts`, and the figures the store keeps in memory while it owns the file.
 *
 * WAL rather than a rollback journal because a commit is then one sequential append and one fsync, and
 * with `synchronous = FULL` that fsync precedes the commit's return (sqlite.org/wal.html, "Durability").
 * `locking_mode = EXCLUSIVE` makes the first write transaction's lock last until close
 * (sqlite.org/pragma.html#pragma_locking_mode), and, set before the first WAL access, keeps the WAL index
 * in heap memory, so there is no `-shm` file (sqlite.org/wal.html, "Use of WAL Without Shared-Memory").
 */
import { DatabaseSync } from 'node:sqlite'
import { MeshError } from '../kernel/index.ts'
import { prepareSchema } from './schema.ts'
import { corruptedStore, storeFailure } from './store-errors.ts'
import type { StateStoreOptions, Synchronous } from './store-options.ts'

export interface Definition {
  readonly type: string
  readonly capacity: number | undefined
  snapshotSeq: number
}

export interface OpenedDatabase {
  readonly db: DatabaseSync
  readonly definitions: Map<string, Definition>
  /** Deltas in the log, over all objects. */
  readonly logDeltas: number
  /** The highest sequence number ever handed out. */
  readonly lastSeq: number
}

export function openDatabase(path: string, options: StateStoreOptions): OpenedDatabase {
  if (typeof path !== 'string' || path === '' || path === ':memory:') {
    throw new MeshError('INVALID_ARGUMENT', `a state store needs a file path, got ${JSON.stringify(path)}`)
  }
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { timeout: options.busyTimeoutMs, enableForeignKeyConstraints: true })
  } catch (error) {
    throw storeFailure(path, 'opening', error)
  }
  try {
    configure(db, path, options.synchronous)
    // the write lock is taken here and, in exclusive mode, kept until close
    db.exec('BEGIN IMMEDIATE')
    prepareSchema(db, path, options.integrityCheck)
    db.exec('COMMIT')
    return {
      db,
      definitions: readDefinitions(db),
      logDeltas: (db.prepare('SELECT count(*) AS n FROM deltas').get() as { n: number }).n,
      lastSeq: highWaterMark(db, path),
    }
  } catch (error) {
    closeQuietly(db) // rolls back a transaction left open and releases the lock
    throw storeFailure(path, 'opening', error, 'damage')
  }
}

function configure(db: DatabaseSync, path: string, synchronous: Synchronous): void {
  // must precede the first access in WAL mode, or SQLite would set up a shared-memory index
  db.exec('PRAGMA locking_mode = EXCLUSIVE')
  const { journal_mode: mode } = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }
  if (mode !== 'wal') {
    throw new MeshError(
      'INVALID_CONFIG',
      `the state store ${path} cannot use SQLite's WAL journal (it reports ${mode}); put it on a local file system`,
      { path },
    )
  }
  db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`)
  // macOS's fsync() leaves data in the drive's cache; F_FULLFSYNC flushes it (a no-op elsewhere)
  if (synchronous === 'full') db.exec('PRAGMA fullfsync = ON; PRAGMA checkpoint_fullfsync = ON')
}

function readDefinitions(db: DatabaseSync): Map<string, Definition> {
  const definitions = new Map<string, Definition>()
  const rows = db.prepare('SELECT name, type, capacity, snapshot_seq FROM objects').all() as Array<{
    name: string
    type: string
    capacity: number | null
    snapshot_seq: number
  }>
  for (const row of rows) {
    definitions.set(row.name, {
      type: row.type,
      capacity: row.capacity ?? undefined,
      snapshotSeq: row.snapshot_seq,
    })
  }
  return definitions
}

/**
 * The highest sequence number ever handed out, from `sqlite_sequence`. A mark below a stored delta or a
 * snapshot's sequence number is damage: new deltas would be numbered under them and be lost at load.
 */
function highWaterMark(db: DatabaseSync, path: string): number {
  const mark =
    (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'deltas'").get() as { seq: number } | undefined)
      ?.seq ?? 0
  const { used } = db
    .prepare(
      'SELECT max(coalesce((SELECT max(seq) FROM deltas), 0), coalesce((SELECT max(snapshot_seq) FROM objects), 0)) AS used',
    )
    .get() as { used: number }
  if (used > mark) {
    throw corruptedStore(
      path,
      `sequence numbers up to ${used} are stored, but the high-water mark is ${mark}`,
    )
  }
  return mark
}

/** Cleanup after a failure: the failure is what gets reported, not a second one on the way out. */
export function closeQuietly(db: DatabaseSync): void {
  try {
    db.close()
  } catch {
    // already reporting the error that brought us here
  }
}
