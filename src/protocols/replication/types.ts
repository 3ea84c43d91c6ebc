/**
 * The replication service's operations, messages and events. Objects are named CRDTs (`../crdt`); a
 * local operation changes one and yields a delta, deltas leave in signed batches over broadcast, and
 * anti-entropy repairs what broadcast missed by shipping the fragments of a state a neighbour lacks.
 */
import type { Millis, NodeId } from '../../kernel/index.ts'
import type { AntiEntropyMessage } from '../antientropy/index.ts'

/** The object types the public API offers (`gcounter` stays internal). */
export const STATE_TYPES = ['set', 'topN', 'map', 'counter'] as const
export type StateType = (typeof STATE_TYPES)[number]

export function isStateType(value: unknown): value is StateType {
  return typeof value === 'string' && (STATE_TYPES as readonly string[]).includes(value)
}

export interface ObjectSpec {
  readonly type: StateType
  /** The top-N capacity; only for `topN`. */
  readonly capacity?: number
}

/** One operation on one object, as the API and CLI name them. */
export type StateOp =
  | { readonly op: 'add'; readonly value: string }
  | { readonly op: 'remove'; readonly value: string }
  | { readonly op: 'offer'; readonly id: string; readonly rank: number; readonly value: Uint8Array }
  | { readonly op: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly op: 'inc'; readonly key: string; readonly by: number }

export const OPS_OF_TYPE: Readonly<Record<StateType, readonly StateOp['op'][]>> = {
  set: ['add', 'remove'],
  topN: ['offer'],
  map: ['put'],
  counter: ['inc'],
}

export type ReplicationMessage =
  /** An anti-entropy session's message (digest or reconciliation), carried on this protocol. */
  | { readonly type: 'ae'; readonly message: AntiEntropyMessage }
  /** Fragments of `name` the receiver lacks, joined into one state (`crdt/codec.ts` bytes). */
  | { readonly type: 'items'; readonly name: string; readonly state: Uint8Array }

/** A signed batch to broadcast on the state channel (the module drives broadcast with it). */
export interface BatchReadyEvent {
  readonly type: 'BatchReady'
  readonly at: Millis
  readonly payload: Uint8Array
  readonly deltas: number
}

/** An object changed here: by a local operation, a peer's batch, or an anti-entropy repair. */
export interface ObjectChangedEvent {
  readonly type: 'ObjectChanged'
  readonly at: Millis
  readonly name: string
  readonly source: 'local' | 'batch' | 'repair'
  /** The origin of the batch, or the neighbour of the repair; this node for a local change. */
  readonly from: NodeId
}

export type ReplicationEvent = BatchReadyEvent | ObjectChangedEvent

/** Why a batch, a delta in it, or a repair was refused (counted by reason). */
export type ReplicationRejection =
  | 'malformed'
  | 'bad-signature'
  | 'origin-mismatch'
  | 'wrong-realm'
  | 'stale'
  | 'from-the-future'
  | 'rate-limited'
  | 'foreign-actor'
  | 'type-mismatch'
  | 'too-many-objects'
  | 'too-many-entries'
  | 'not-a-neighbor'
  | 'own-batch'
