/**
 * The store's failures as MeshErrors that name the file and say what to do. A store that cannot be
 * trusted is never reset silently: the operator moves it aside and the node starts empty, catching up on
 * replicated state from its peers (what no peer had received yet is lost, which is why it is refused
 * rather than repaired behind the operator's back). An exception from SQLite never escapes raw.
 */
import { MeshError, type MeshErrorCode } from '../kernel/index.ts'

/** Why a file was refused; in the error's data, for programs that match on it. */
export type StoreFailure =
  | 'corrupted'
  | 'checksum-mismatch'
  | 'foreign-application'
  | 'newer-schema'
  | 'locked'
  | 'io'
  | 'cannot-open'

export interface StoreErrorData extends Record<string, unknown> {
  readonly path: string
  readonly failure: StoreFailure
  readonly detail: string
}

/** SQLite's primary result codes (sqlite.org/rescode.html) that get their own wording. */
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6
const SQLITE_READONLY = 8
const SQLITE_IOERR = 10
const SQLITE_CORRUPT = 11
const SQLITE_FULL = 13
const SQLITE_CANTOPEN = 14
const SQLITE_NOTADB = 26

function storeError(
  code: MeshErrorCode,
  path: string,
  failure: StoreFailure,
  detail: string,
  message: string,
): MeshError<StoreErrorData> {
  return new MeshError(code, message, { path, failure, detail })
}

function moveAside(path: string): string {
  return (
    `move it aside (mv ${path} ${path}.corrupt, and ${path}-wal if present) and restart: ` +
    'the node starts with an empty store and catches up on replicated state from its peers'
  )
}

export function corruptedStore(path: string, detail: string): MeshError<StoreErrorData> {
  return storeError(
    'INVALID_CONFIG',
    path,
    'corrupted',
    detail,
    `the state store ${path} is corrupted or not a Meshwork state store (${detail}); ${moveAside(path)}`,
  )
}

export function checksumMismatch(path: string, row: string): MeshError<StoreErrorData> {
  const detail = `${row} fails its checksum`
  return storeError(
    'INVALID_CONFIG',
    path,
    'checksum-mismatch',
    detail,
    `the state store ${path} is corrupted: ${detail}; ${moveAside(path)}`,
  )
}

export function foreignApplication(path: string, detail: string): MeshError<StoreErrorData> {
  return storeError(
    'INVALID_CONFIG',
    path,
    'foreign-application',
    detail,
    `${path} is an SQLite database of another application (${detail}), not a Meshwork state store; ` +
      'give the node another path, or move the file aside if it is not needed',
  )
}

export function newerSchema(path: string, found: number, supported: number): MeshError<StoreErrorData> {
  return storeError(
    'INVALID_CONFIG',
    path,
    'newer-schema',
    `schema version ${found}`,
    `the state store ${path} has schema version ${found}, newer than the ${supported} this Meshwork ` +
      `reads; run the newer Meshwork that wrote it, or ${moveAside(path)}`,
  )
}

/** An exception thrown by node:sqlite (`code` ERR_SQLITE_ERROR, `errcode`, `errstr`) while `doing`. */
export function isSqliteError(error: unknown): error is Error & { errcode: number; errstr: string } {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR' &&
    typeof (error as { errcode?: unknown }).errcode === 'number'
  )
}

/**
 * Turns an exception from node:sqlite into a MeshError naming the file; anything else passes through.
 * `otherwise` says what an error without its own wording means: while opening and loading, the store's
 * fixed statements run against whatever the file holds, so an SQL error there (a table without its
 * column, a value of the wrong type) is damage to the file.
 */
export function storeFailure(
  path: string,
  doing: string,
  error: unknown,
  otherwise: 'damage' | 'failure' = 'failure',
): unknown {
  if (!isSqliteError(error)) return error
  const detail = `${doing}: ${error.message}`
  // extended result codes keep the primary code in their low byte
  switch (error.errcode & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return corruptedStore(path, detail)
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return storeError(
        'UNAVAILABLE',
        path,
        'locked',
        detail,
        `the state store ${path} is open in another process or connection (SQLite's lock is held; ${detail}); ` +
          'stop the other node, or give this one its own data directory',
      )
    case SQLITE_CANTOPEN:
      return storeError(
        'INVALID_CONFIG',
        path,
        'cannot-open',
        detail,
        `cannot open the state store ${path} (${detail}); check that its directory exists and is writable`,
      )
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
      return storeError(
        'UNAVAILABLE',
        path,
        'io',
        detail,
        `the state store ${path} cannot be written (${detail}); the write was not made durable`,
      )
    default:
      if (otherwise === 'damage') return corruptedStore(path, detail)
      return storeError('UNAVAILABLE', path, 'io', detail, `the state store ${path} failed (${detail})`)
  }
}
