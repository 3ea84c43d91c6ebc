/**
 * The durable store for replicated state: per object its definition and latest snapshot, and an
 * append-only log of the local deltas written since. The replication core hands it opaque bytes; the
 * store knows nothing of CRDTs.
 *
 * It follows the durability rule (shared/reference/state.md §11): a node persists its own accepted writes
 * before it acknowledges them. `appendDelta` returns only after its commit, and with SQLite's WAL journal
 * and `synchronous = FULL` a commit fsyncs the WAL first (sqlite.org/wal.html, "Durability"; NORMAL would
 * let a power loss roll back acknowledged writes, see `Synchronous`). Opening is `open-database.ts`.
 *
 * One process owns a store while it is open: `locking_mode = EXCLUSIVE` keeps SQLite's write lock from
 * open to close, so a second open (another process, or a second connection in this one) fails with
 * UNAVAILABLE after `busyTimeoutMs`, and the figures kept in memory here (definitions, log size, last
 * sequence number) stay exact. The lock is the kernel's, so it dies with the process: a node killed with
 * SIGKILL leaves no stale lock. This is not the daemon's data-dir lock (one node per directory, for its
 * identity); it only makes sure two writers can never interleave in one file.
 *
 * Every value has a bound (`StateStoreOptions`); what is refused throws a MeshError and is counted by
 * reason in `stats().refusals` (`store-limits.ts`).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { MeshError } from '../kernel/index.ts'
import { closeQuietly, type Definition, type OpenedDatabase, openDatabase } from './open-database.ts'
import { deltaChecksum, type ObjectRow, objectChecksum } from './row-checksum.ts'
import { checksumMismatch, corruptedStore, storeFailure } from './store-errors.ts'
import { StoreLimits } from './store-limits.ts'
import { type StateStoreOptions, stateStoreOptions } from './store-options.ts'

export interface StoredDelta {
  /** The store-wide sequence number `appendDelta` returned: increasing, never reused. */
  readonly seq: number
  readonly delta: Uint8Array
}

export interface StoredObject {
  readonly name: string
  readonly type: string
  readonly capacity?: number
  /** The latest snapshot; absent until the first `writeSnapshot`. */
  readonly snapshot?: Uint8Array
  /** The snapshot includes every delta of this object up to this sequence number (0: no snapshot). */
  readonly snapshotSeq: number
  /** The deltas written after the snapshot, in order. */
  readonly deltas: readonly StoredDelta[]
}

export interface DeltaWrite {
  readonly name: string
  readonly delta: Uint8Array
}

export interface StateStoreStats {
  readonly objects: number
  readonly logDeltas: number
  readonly lastSeq: number
  readonly refusals: Record<string, number>
}

/** Rows of `selectObjects` and `selectDeltas`, read as arrays; types as the STRICT tables declare them. */
type ObjectColumns = [string, string, number | null, number, number, Uint8Array | null]
type DeltaColumns = [number, string, unknown, number]

interface Statements {
  readonly insertObject: StatementSync
  readonly insertDelta: StatementSync
  readonly updateSnapshot: StatementSync
  readonly deleteCovered: StatementSync
  readonly selectObjects: StatementSync
  readonly selectDeltas: StatementSync
}

export class StateStore {
  readonly path: string
  readonly options: StateStoreOptions
  private readonly db: DatabaseSync
  private readonly statements: Statements
  private readonly definitions: Map<string, Definition>
  private readonly limits: StoreLimits
  private logDeltas: number
  private lastSeqValue: number
  private closed = false

  /**
   * Opens the store at `path`, creating it when the file does not exist. Checks the file's structure
   * (`integrityCheck`) and identity first; a damaged or foreign file is refused with INVALID_CONFIG
   * naming it, and a file held by another process with UNAVAILABLE.
   */
  static open(path: string, overrides: Partial<StateStoreOptions> = {}): StateStore {
    const options = stateStoreOptions(overrides)
    const opened = openDatabase(path, options)
    try {
      return new StateStore(path, options, opened)
    } catch (error) {
      closeQuietly(opened.db)
      throw storeFailure(path, 'opening', error, 'damage')
    }
  }

  private constructor(path: string, options: StateStoreOptions, opened: OpenedDatabase) {
    this.path = path
    this.options = options
    this.db = opened.db
    this.definitions = opened.definitions
    this.logDeltas = opened.logDeltas
    this.lastSeqValue = opened.lastSeq
    this.limits = new StoreLimits(path, options)
    const db = opened.db
    this.statements = {
      insertObject: db.prepare(
        'INSERT INTO objects (name, type, capacity, snapshot_seq, checksum) VALUES (?, ?, ?, 0, ?)',
      ),
      insertDelta: db.prepare('INSERT INTO deltas (seq, object, delta, checksum) VALUES (?, ?, ?, ?)'),
      updateSnapshot: db.prepare(
        'UPDATE objects SET snapshot = ?, snapshot_seq = ?, checksum = ? WHERE name = ?',
      ),
      deleteCovered: db.prepare('DELETE FROM deltas WHERE object = ? AND seq <= ?'),
      selectObjects: db.prepare(
        'SELECT name, type, capacity, snapshot_seq, checksum, snapshot FROM objects ORDER BY name',
      ),
      selectDeltas: db.prepare('SELECT seq, object, delta, checksum FROM deltas ORDER BY seq'),
    }
    // rows as arrays: node:sqlite builds an object per row three times slower (100,000 rows at load)
    this.statements.selectObjects.setReturnArrays(true)
    this.statements.selectDeltas.setReturnArrays(true)
  }

  /** The highest sequence number handed out so far (0 before the first delta). */
  get lastSeq(): number {
    return this.lastSeqValue
  }

  /**
   * Records an object's definition, durably. Idempotent: the same definition again returns false. A name
   * already defined with another type or capacity is refused, since replicas would merge different types.
   */
  createObject(name: string, type: string, capacity?: number): boolean {
    this.ensureOpen()
    this.limits.checkDefinition(name, type, capacity)
    const existing = this.definitions.get(name)
    if (existing !== undefined) {
      if (existing.type === type && existing.capacity === capacity) return false
      this.limits.refuse(
        'definition-conflict',
        'INVALID_ARGUMENT',
        `"${name}" is stored as ${describe(existing.type, existing.capacity)}, not ${describe(type, capacity)}`,
      )
    }
    this.limits.checkObjectCount(this.definitions.size)
    const row: ObjectRow = { name, type, capacity: capacity ?? null, snapshotSeq: 0, snapshot: null }
    this.write('creating an object', () =>
      this.statements.insertObject.run(name, type, row.capacity, objectChecksum(row)),
    )
    this.definitions.set(name, { type, capacity, snapshotSeq: 0 })
    return true
  }

  /** Appends one local delta and returns its sequence number once the commit is on disk. */
  appendDelta(name: string, delta: Uint8Array): number {
    this.ensureOpen()
    this.checkDelta(name, delta)
    this.limits.checkLogRoom(this.logDeltas, 1)
    const seq = this.lastSeqValue + 1
    this.write('appending a delta', () => this.insertDelta(seq, name, delta))
    this.lastSeqValue = seq
    this.logDeltas += 1
    return seq
  }

  /**
   * Appends deltas in one transaction (one fsync) and returns their sequence numbers, in order, once it
   * is on disk. All or nothing: one refused delta refuses the batch.
   */
  appendDeltas(writes: readonly DeltaWrite[]): number[] {
    this.ensureOpen()
    for (const write of writes) this.checkDelta(write.name, write.delta)
    this.limits.checkLogRoom(this.logDeltas, writes.length)
    if (writes.length === 0) return []
    const first = this.lastSeqValue + 1
    this.transaction('appending deltas', () => {
      writes.forEach((write, i) => {
        this.insertDelta(first + i, write.name, write.delta)
      })
    })
    this.lastSeqValue += writes.length
    this.logDeltas += writes.length
    return writes.map((_, i) => first + i)
  }

  /**
   * Replaces the snapshot of `name` with `snapshot`, which includes every delta of that object up to
   * `throughSeq`, and deletes those deltas in the same transaction (compaction). `throughSeq` may not go
   * below the previous snapshot's (those deltas are gone) nor above `lastSeq` (it would delete deltas
   * not yet written). Returns how many deltas it deleted.
   */
  writeSnapshot(name: string, snapshot: Uint8Array, throughSeq: number): number {
    this.ensureOpen()
    const definition = this.definition(name)
    this.limits.checkSnapshot(name, snapshot)
    if (
      !(
        Number.isSafeInteger(throughSeq) &&
        throughSeq >= definition.snapshotSeq &&
        throughSeq <= this.lastSeq
      )
    ) {
      this.limits.refuse(
        'snapshot-seq-invalid',
        'INVALID_ARGUMENT',
        `a snapshot of "${name}" must cover through a sequence number from ${definition.snapshotSeq} ` +
          `(its last snapshot) to ${this.lastSeq} (the last delta), got ${throughSeq}`,
      )
    }
    const checksum = objectChecksum({ ...definitionRow(name, definition), snapshotSeq: throughSeq, snapshot })
    let deleted = 0
    this.transaction('writing a snapshot', () => {
      this.statements.updateSnapshot.run(snapshot, throughSeq, checksum, name)
      deleted = Number(this.statements.deleteCovered.run(name, throughSeq).changes)
    })
    definition.snapshotSeq = throughSeq
    this.logDeltas -= deleted
    return deleted
  }

  /**
   * Every object with its snapshot and the deltas after it, in name order. Verifies every row's
   * checksum; a mismatch is INVALID_CONFIG naming the file and the row.
   */
  load(): StoredObject[] {
    this.ensureOpen()
    try {
      return this.readAll()
    } catch (error) {
      throw storeFailure(this.path, 'loading', error, 'damage')
    }
  }

  objectNames(): string[] {
    this.ensureOpen()
    return [...this.definitions.keys()].sort()
  }

  stats(): StateStoreStats {
    return {
      objects: this.definitions.size,
      logDeltas: this.logDeltas,
      lastSeq: this.lastSeqValue,
      refusals: this.limits.counts(),
    }
  }

  /** Closes the database (checkpointing the WAL into it) and releases the lock. Safe to call twice. */
  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      this.db.close()
    } catch (error) {
      throw storeFailure(this.path, 'closing', error)
    }
  }

  private readAll(): StoredObject[] {
    const objects = new Map<string, { row: ObjectRow; deltas: StoredDelta[] }>()
    for (const raw of this.statements.selectObjects.iterate()) {
      const [name, type, capacity, snapshotSeq, checksum, snapshot] = raw as unknown as ObjectColumns
      const row: ObjectRow = { name, type, capacity, snapshotSeq, snapshot }
      if (objectChecksum(row) !== checksum) throw checksumMismatch(this.path, `the object "${name}"`)
      objects.set(name, { row, deltas: [] })
    }
    for (const raw of this.statements.selectDeltas.iterate()) {
      const [seq, object, delta, checksum] = raw as unknown as DeltaColumns
      const entry = objects.get(object)
      if (!(delta instanceof Uint8Array) || deltaChecksum(seq, object, delta) !== checksum) {
        throw checksumMismatch(this.path, `the delta ${seq} of "${object}"`)
      }
      if (entry === undefined || seq <= entry.row.snapshotSeq) {
        throw corruptedStore(this.path, `the delta ${seq} of "${object}" belongs to no object or snapshot`)
      }
      entry.deltas.push({ seq, delta })
    }
    return [...objects.values()].map(({ row, deltas }) => ({
      name: row.name,
      type: row.type,
      ...(row.capacity === null ? {} : { capacity: row.capacity }),
      ...(row.snapshot === null ? {} : { snapshot: row.snapshot }),
      snapshotSeq: row.snapshotSeq,
      deltas,
    }))
  }

  private insertDelta(seq: number, name: string, delta: Uint8Array): void {
    this.statements.insertDelta.run(seq, name, delta, deltaChecksum(seq, name, delta))
  }

  /** One statement in its own (autocommit) transaction. */
  private write(doing: string, run: () => unknown): void {
    try {
      run()
    } catch (error) {
      throw storeFailure(this.path, doing, error)
    }
  }

  private transaction(doing: string, run: () => void): void {
    try {
      this.db.exec('BEGIN IMMEDIATE')
      run()
      this.db.exec('COMMIT')
    } catch (error) {
      if (this.db.isTransaction) rollbackQuietly(this.db)
      throw storeFailure(this.path, doing, error)
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new MeshError('UNAVAILABLE', `the state store ${this.path} is closed`)
  }

  private definition(name: string): Definition {
    const definition = this.definitions.get(name)
    if (definition === undefined) {
      this.limits.refuse('unknown-object', 'NOT_FOUND', `no object "${name}"; create it first`)
    }
    return definition
  }

  private checkDelta(name: string, delta: Uint8Array): void {
    this.definition(name)
    this.limits.checkDelta(name, delta)
  }
}

/** Cleanup after a failure: the failure is what gets reported, not a second one on the way out. */
function rollbackQuietly(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK')
  } catch {
    // already reporting the error that brought us here
  }
}

function definitionRow(name: string, definition: Definition): Omit<ObjectRow, 'snapshotSeq' | 'snapshot'> {
  return { name, type: definition.type, capacity: definition.capacity ?? null }
}

function describe(type: string, capacity: number | undefined): string {
  return capacity === undefined ? `type ${type}` : `type ${type} with capacity ${capacity}`
}
