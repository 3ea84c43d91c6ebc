/**
 * The node's replicated state as the library offers it (`node.state`): typed handles on named objects,
 * writes that resolve only once durable, reads in the API's shapes, and change subscriptions.
 *
 * The durability rule (`shared/reference/state.md` §11): a local write's delta is appended to the
 * store (fsync'ed) before the call returns, and batches leave the node only at a later tick, so nothing
 * leaves that the log does not hold. At start the store's snapshots and logs are merged back into the
 * core; anti-entropy then brings what peers wrote meanwhile. Every `SNAPSHOT_INTERVAL_MS` the changed
 * objects' full states (peers' writes included) are written as snapshots, which compacts the log.
 *
 * Values of top-N entries and map registers are JSON, stored as UTF-8 bytes.
 */
import { MeshError } from '../kernel/index.ts'
import {
  type AnyCrdt,
  type AwSet,
  decodeCrdt,
  encodeCrdt,
  fingerprintHex,
  type LwwMap,
  type PnCounterMap,
  type TopNMap,
} from '../protocols/crdt/index.ts'
import type { JsonValue } from '../protocols/index.ts'
import {
  isStateType,
  type ObjectSpec,
  type Replication,
  type StateOp,
  type StateType,
  stateModule,
} from '../protocols/replication/index.ts'
import type { StateStore } from '../storage/index.ts'

/** What the facade needs of an engine: local operations on the replication core, and its events. */
export interface StateHost {
  act<R>(operation: (core: Replication, now: number) => R): R
  /** Calls `listener` with an object's name whenever it changed here; returns the unsubscribe. */
  onChange(listener: (name: string) => void): () => void
}

export interface StateReading {
  readonly type: StateType
  readonly fingerprint: string
  readonly value: JsonValue
}

const UTF8 = new TextEncoder()
const TEXT = new TextDecoder()
export const SNAPSHOT_INTERVAL_MS = 5_000

/** The replication module's descriptor, for `act` (which finds the core by protocol id). */
export const STATE_MODULE = stateModule()

function encodeJson(value: JsonValue): Uint8Array {
  return UTF8.encode(JSON.stringify(value))
}

function decodeJson(bytes: Uint8Array): JsonValue {
  try {
    return JSON.parse(TEXT.decode(bytes)) as JsonValue
  } catch {
    // a peer's bytes that are not JSON are shown as text rather than dropped
    return TEXT.decode(bytes)
  }
}

export class ReplicatedState {
  private readonly host: StateHost
  private readonly store: StateStore | undefined
  private readonly dirty = new Set<string>()
  private closed = false

  constructor(host: StateHost, store: StateStore | undefined) {
    this.host = host
    this.store = store
    if (store !== undefined) {
      this.restore(store)
      host.onChange((name) => this.dirty.add(name))
    }
  }

  // ── the generic surface (HTTP API and CLI) ────────────────────────────────────────────────────────

  /** Creates `name` (idempotent); a different type or capacity than it has is an error. */
  create(name: string, spec: ObjectSpec): void {
    if (!isStateType(spec.type)) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `an object type is set, topN, map or counter, not ${String(spec.type)}`,
      )
    }
    if (spec.type === 'topN' && spec.capacity === undefined) {
      throw new MeshError('INVALID_ARGUMENT', 'a topN object needs a capacity')
    }
    if (spec.type !== 'topN' && spec.capacity !== undefined) {
      throw new MeshError('INVALID_ARGUMENT', `a ${spec.type} object takes no capacity`)
    }
    this.host.act((core) => core.create(name, spec))
    this.store?.createObject(name, spec.type, spec.capacity)
  }

  /** Applies one operation; returns once its delta is durable. */
  apply(name: string, op: StateOp): void {
    this.checkOpen()
    const delta = this.host.act((core, now) => core.apply(now, name, op))
    if (delta !== undefined) this.store?.appendDelta(name, encodeCrdt(delta))
  }

  /** The object as `GET /v1/state/:name` shows it; undefined when there is none. */
  read(name: string): StateReading | undefined {
    return this.host.act((core) => {
      const state = core.objects.state(name)
      const spec = core.objects.spec(name)
      if (state === undefined || spec === undefined) return undefined
      return { type: spec.type, fingerprint: fingerprintHex(state), value: stateValue(state) }
    })
  }

  names(): string[] {
    return this.host.act((core) => [...core.objects.names()].sort())
  }

  /** Calls `listener` whenever `name` changed here (a local write, a peer's batch, a repair). */
  watch(name: string, listener: (reading: StateReading) => void): () => void {
    return this.host.onChange((changed) => {
      if (changed !== name) return
      const reading = this.read(name)
      if (reading !== undefined) listener(reading)
    })
  }

  // ── typed handles (the library) ─────────────────────────────────────────────────────────────────

  set(name: string) {
    this.create(name, { type: 'set' })
    return {
      add: (value: string): void => this.apply(name, { op: 'add', value }),
      remove: (value: string): void => this.apply(name, { op: 'remove', value }),
      values: (): string[] => this.read(name)?.value as string[],
      has: (value: string): boolean =>
        this.host.act((core) => (core.objects.state(name) as AwSet).has(value)),
      subscribe: (listener: (values: string[]) => void) =>
        this.watch(name, (reading) => listener(reading.value as string[])),
    }
  }

  topN(name: string, options: { readonly capacity: number }) {
    this.create(name, { type: 'topN', capacity: options.capacity })
    type Entry = { id: string; rank: number; value: JsonValue }
    return {
      offer: (id: string, rank: number, value: JsonValue = null): void =>
        this.apply(name, { op: 'offer', id, rank, value: encodeJson(value) }),
      entries: (): Entry[] => this.read(name)?.value as Entry[],
      subscribe: (listener: (entries: Entry[]) => void) =>
        this.watch(name, (reading) => listener(reading.value as Entry[])),
    }
  }

  map(name: string) {
    this.create(name, { type: 'map' })
    return {
      put: (key: string, value: JsonValue): void =>
        this.apply(name, { op: 'put', key, value: encodeJson(value) }),
      get: (key: string): JsonValue | undefined => {
        const entry = this.host.act((core) => (core.objects.state(name) as LwwMap).get(key))
        return entry === undefined ? undefined : decodeJson(entry.value)
      },
      entries: (): Record<string, JsonValue> => this.read(name)?.value as Record<string, JsonValue>,
      subscribe: (listener: (entries: Record<string, JsonValue>) => void) =>
        this.watch(name, (reading) => listener(reading.value as Record<string, JsonValue>)),
    }
  }

  counter(name: string) {
    this.create(name, { type: 'counter' })
    return {
      inc: (key: string, by = 1): void => this.apply(name, { op: 'inc', key, by }),
      get: (key: string): number =>
        this.host.act((core) => (core.objects.state(name) as PnCounterMap).get(key)),
      value: (): Record<string, number> => this.read(name)?.value as Record<string, number>,
      subscribe: (listener: (value: Record<string, number>) => void) =>
        this.watch(name, (reading) => listener(reading.value as Record<string, number>)),
    }
  }

  /** Writes the last snapshots and stops; the store is the caller's to close. */
  close(): void {
    if (this.closed) return
    this.snapshot()
    this.closed = true
  }

  // ── durability ──────────────────────────────────────────────────────────────────────────────────

  private restore(store: StateStore): void {
    for (const object of store.load()) {
      if (!isStateType(object.type)) continue
      const spec: ObjectSpec =
        object.capacity === undefined
          ? { type: object.type }
          : { type: object.type, capacity: object.capacity }
      this.host.act((core) => {
        core.create(object.name, spec)
        for (const bytes of [object.snapshot, ...object.deltas.map((d) => d.delta)]) {
          if (bytes === undefined) continue
          const decoded = decodeCrdt(bytes, core.config.crdt)
          if (!decoded.ok) {
            throw new MeshError(
              'INVALID_CONFIG',
              `the stored state of ${object.name} does not decode (${decoded.error}); move the state database aside and the node will catch up from its peers`,
            )
          }
          core.restore(object.name, spec, decoded.value)
        }
      })
    }
  }

  /**
   * Writes the full states of the objects changed since the last call (peers' writes included) as
   * snapshots, compacting the log; the engine calls it every `SNAPSHOT_INTERVAL_MS`.
   */
  snapshot(): void {
    const store = this.store
    if (store === undefined || this.closed || this.dirty.size === 0) return
    const lastSeq = store.stats().lastSeq
    for (const name of this.dirty) {
      const state = this.host.act((core) => core.objects.state(name))
      if (state !== undefined) store.writeSnapshot(name, encodeCrdt(state), lastSeq)
    }
    this.dirty.clear()
  }

  private checkOpen(): void {
    if (this.closed) throw new MeshError('UNAVAILABLE', 'the node has stopped')
  }
}

/** The state in the API's shape (`GET /v1/state/:name`). */
export function stateValue(state: AnyCrdt): JsonValue {
  switch (state.type) {
    case 'set':
      return (state as AwSet).value()
    case 'topN':
      return (state as TopNMap).entries().map((entry) => ({
        id: entry.id,
        rank: entry.rank,
        value: decodeJson(entry.value),
      }))
    case 'map':
      return Object.fromEntries(
        (state as LwwMap).entries().map(([key, entry]) => [key, decodeJson(entry.value)]),
      )
    case 'counter':
    case 'gcounter':
      return (state as PnCounterMap).value()
  }
}
