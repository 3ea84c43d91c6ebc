/**
 * The bounds on what the store accepts (`StateStoreOptions`), checked before anything is written. What
 * is refused throws a MeshError naming the store and is counted by reason: the reasons are a closed
 * union, so the counter is bounded by construction.
 */
import { MeshError, type MeshErrorCode, RejectionCounter } from '../kernel/index.ts'
import type { StateStoreOptions } from './store-options.ts'

export type StoreRefusal =
  | 'name-invalid'
  | 'name-too-long'
  | 'type-invalid'
  | 'type-too-long'
  | 'capacity-invalid'
  | 'definition-conflict'
  | 'too-many-objects'
  | 'unknown-object'
  | 'bytes-invalid'
  | 'delta-too-large'
  | 'snapshot-too-large'
  | 'log-full'
  | 'snapshot-seq-invalid'

export class StoreLimits {
  private readonly path: string
  private readonly options: StateStoreOptions
  private readonly refusals = new RejectionCounter<StoreRefusal>()

  constructor(path: string, options: StateStoreOptions) {
    this.path = path
    this.options = options
  }

  counts(): Record<string, number> {
    return this.refusals.toJSON()
  }

  checkDefinition(name: string, type: string, capacity: number | undefined): void {
    this.checkText(name, 'name', this.options.maxNameBytes)
    this.checkText(type, 'type', this.options.maxTypeBytes)
    if (capacity !== undefined && !(Number.isSafeInteger(capacity) && capacity > 0)) {
      this.refuse(
        'capacity-invalid',
        'INVALID_ARGUMENT',
        `the capacity of "${name}" must be a positive integer`,
      )
    }
  }

  checkObjectCount(objects: number): void {
    if (objects >= this.options.maxObjects) {
      this.refuse(
        'too-many-objects',
        'CAPACITY_EXCEEDED',
        `it holds maxObjects ${this.options.maxObjects} objects`,
      )
    }
  }

  checkDelta(name: string, delta: Uint8Array): void {
    this.checkBytes(name, 'delta', delta, this.options.maxDeltaBytes, 'delta-too-large')
  }

  checkSnapshot(name: string, snapshot: Uint8Array): void {
    this.checkBytes(name, 'snapshot', snapshot, this.options.maxSnapshotBytes, 'snapshot-too-large')
  }

  checkLogRoom(logDeltas: number, adding: number): void {
    if (logDeltas + adding > this.options.maxLogDeltas) {
      this.refuse(
        'log-full',
        'CAPACITY_EXCEEDED',
        `the delta log holds ${logDeltas} deltas and maxLogDeltas is ${this.options.maxLogDeltas}; ` +
          'write a snapshot to compact it',
      )
    }
  }

  refuse(reason: StoreRefusal, code: MeshErrorCode, message: string): never {
    this.refusals.add(reason)
    throw new MeshError(code, `state store ${this.path}: ${message}`, { path: this.path, reason })
  }

  private checkText(text: string, what: 'name' | 'type', maxBytes: number): void {
    if (typeof text !== 'string' || text === '' || !text.isWellFormed()) {
      // a lone surrogate would be stored as U+FFFD, so two such names would become one
      this.refuse(
        `${what}-invalid`,
        'INVALID_ARGUMENT',
        `an object ${what} must be a non-empty well-formed string`,
      )
    }
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > maxBytes) {
      this.refuse(
        `${what}-too-long`,
        'CAPACITY_EXCEEDED',
        `an object ${what} takes ${bytes} UTF-8 bytes, more than ${maxBytes}`,
      )
    }
  }

  private checkBytes(
    name: string,
    what: 'delta' | 'snapshot',
    bytes: Uint8Array,
    maxBytes: number,
    tooLarge: StoreRefusal,
  ): void {
    if (!(bytes instanceof Uint8Array)) {
      this.refuse('bytes-invalid', 'INVALID_ARGUMENT', `a ${what} of "${name}" must be a Uint8Array`)
    }
    if (bytes.length > maxBytes) {
      this.refuse(
        tooLarge,
        'CAPACITY_EXCEEDED',
        `a ${what} of "${name}" takes ${bytes.length} bytes, more than ${maxBytes}`,
      )
    }
  }
}
