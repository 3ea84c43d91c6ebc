/**
 * The store's schema and the checks an open makes before anything is read or written.
 *
 * Identity is written twice: SQLite's header field `application_id` (sqlite.org/fileformat.html, offset
 * 68), which tells a Meshwork store from any other SQLite file before a table is read, and a meta row
 * with the application's name and the schema version, which a newer Meshwork raises when it migrates. A
 * file with tables but another identity is refused, never taken over; only a file with no tables at all
 * (new, or created by a crash before its first commit, which therefore acknowledged nothing) is set up.
 *
 * Tables are STRICT (values must have their declared type). The delta log's key is AUTOINCREMENT so
 * that `sqlite_sequence` keeps the highest sequence number ever used (sqlite.org/autoinc.html): a
 * compaction that deleted the newest deltas must not let a reopened store hand their numbers out again,
 * or a snapshot's `snapshot_seq` would cover deltas written after it. A snapshot is the objects table's
 * last column, so reading an object's definition never walks the snapshot's overflow pages. The index
 * `deltas_by_object` is what compaction deletes through, so a snapshot costs the object's own deltas,
 * not a scan of the whole log.
 */
import { DatabaseSync } from 'node:sqlite'
import { corruptedStore, foreignApplication, newerSchema } from './store-errors.ts'
import type { IntegrityCheck } from './store-options.ts'

/** 'MSHW' in ASCII. */
export const APPLICATION_ID = 0x4d534857
export const APPLICATION_NAME = 'meshwork-state'
export const SCHEMA_VERSION = 1
/** Lines of a failed check quoted in the error; the rest would only repeat the damage. */
const MAX_REPORTED_PROBLEMS = 3

const CREATE_SCHEMA = `
  CREATE TABLE meta (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    application TEXT NOT NULL,
    schema_version INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE objects (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    capacity INTEGER,
    snapshot_seq INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    snapshot BLOB
  ) STRICT;
  CREATE TABLE deltas (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    object TEXT NOT NULL REFERENCES objects (name),
    delta BLOB NOT NULL,
    checksum INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX deltas_by_object ON deltas (object, seq);
`

/**
 * Verifies an opened database, or sets up an empty one. Runs inside the caller's write transaction, so
 * two processes setting up one new file cannot both do it.
 */
export function prepareSchema(db: DatabaseSync, path: string, check: IntegrityCheck): void {
  if (check !== 'off') checkStructure(db, path, check)
  const applicationId = (db.prepare('PRAGMA application_id').get() as { application_id: number })
    .application_id
  const tables = (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string
    }>
  ).map((row) => row.name)
  if (tables.length === 0 && applicationId === 0) {
    db.exec(CREATE_SCHEMA)
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`)
    db.prepare('INSERT INTO meta (singleton, application, schema_version) VALUES (1, ?, ?)').run(
      APPLICATION_NAME,
      SCHEMA_VERSION,
    )
    return
  }
  if (applicationId !== APPLICATION_ID) {
    throw foreignApplication(
      path,
      `application_id 0x${applicationId.toString(16)}, not Meshwork's 0x${APPLICATION_ID.toString(16)}`,
    )
  }
  verifyMeta(db, path, tables)
}

function checkStructure(db: DatabaseSync, path: string, check: 'quick' | 'full'): void {
  const pragma = check === 'quick' ? 'quick_check' : 'integrity_check'
  const rows = db.prepare(`PRAGMA ${pragma}(${MAX_REPORTED_PROBLEMS})`).all() as Array<Record<string, string>>
  const problems = rows.map((row) => String(Object.values(row)[0]).replaceAll('\n', ' '))
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw corruptedStore(path, `PRAGMA ${pragma}: ${problems.join('; ')}`)
  }
}

function verifyMeta(db: DatabaseSync, path: string, tables: readonly string[]): void {
  if (!tables.includes('meta')) throw corruptedStore(path, 'the meta table is missing')
  const meta = db.prepare('SELECT application, schema_version FROM meta WHERE singleton = 1').get() as
    | { application: unknown; schema_version: unknown }
    | undefined
  if (meta === undefined) throw corruptedStore(path, 'the meta row is missing')
  if (meta.application !== APPLICATION_NAME) {
    throw foreignApplication(path, `meta names the application ${JSON.stringify(meta.application)}`)
  }
  const version = meta.schema_version
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw corruptedStore(path, `the meta row holds the schema version ${String(version)}`)
  }
  if (version > SCHEMA_VERSION) throw newerSchema(path, version, SCHEMA_VERSION)
  const found = schemaOf(db)
  const expected = expectedSchema()
  if (found.length !== expected.length) {
    throw corruptedStore(path, `it holds ${found.length} schema entries, not the ${expected.length} expected`)
  }
  found.forEach((entry, i) => {
    if (entry !== expected[i]) throw corruptedStore(path, `the schema entry ${entry} is not the one expected`)
  })
}

/**
 * The schema as SQLite keeps it: each table's and index's name and the text of its CREATE statement.
 * Comparing it whole catches a damaged statement (a flipped byte there makes a column vanish) as well
 * as a missing table, before any statement is prepared against it.
 */
function schemaOf(db: DatabaseSync): string[] {
  const rows = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').all()
  return rows.map((row) => JSON.stringify(Object.values(row)))
}

let expected: readonly string[] | undefined
/** What CREATE_SCHEMA leaves in a new database, worked out once in memory. */
function expectedSchema(): readonly string[] {
  if (expected === undefined) {
    const db = new DatabaseSync(':memory:')
    db.exec(CREATE_SCHEMA)
    expected = schemaOf(db)
    db.close()
  }
  return expected
}
