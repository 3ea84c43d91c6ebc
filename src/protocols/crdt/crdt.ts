/**
 * What every replicated data type here is: a delta-state CRDT (Almeida, Shoker, Baquero, "Delta State
 * Replicated Data Types", JPDC 2018). A state is an element of a join-semilattice; `merge` is the join
 * (commutative, associative, idempotent); a mutator changes the local state and returns a *delta*, a
 * small state of the same type whose join into any replica has the mutation's effect (m(X) = X ⊔ mδ(X)).
 * Deltas may therefore be lost, duplicated and reordered: whatever a replica missed, a later delta or a
 * full-state exchange (anti-entropy) brings, since a full state is only a large delta.
 *
 * The types are pure (no clocks, no randomness, no I/O: a write's actor and timestamp are arguments) and
 * mutable in place, because merging is the hot path (`bench/crdt.ts`); `clone` gives a copy when a caller
 * needs the state before a merge. Every state has one canonical encoding (`codec.ts`): two replicas hold
 * equal states exactly when their encodings are equal, which is what the law tests compare and what the
 * fingerprint hashes.
 */
import type { Encoder } from '../../kernel/index.ts'

/** The replicated types, as the API names them. */
export const CRDT_TYPES = ['set', 'topN', 'map', 'counter', 'gcounter'] as const
export type CrdtType = (typeof CRDT_TYPES)[number]

export function isCrdtType(value: unknown): value is CrdtType {
  return typeof value === 'string' && (CRDT_TYPES as readonly string[]).includes(value)
}

/** A replica's identity as a writer: a node id with its boot epoch, unique per replica incarnation. */
export type ActorId = string

export interface Crdt<Self> {
  readonly type: CrdtType
  /** Joins `other` into this state, in place; true when this state changed. */
  merge(other: Self): boolean
  clone(): Self
  /** True for the bottom state (what a new, empty object holds). */
  isEmpty(): boolean
  /** The canonical encoding of the state without its type tag and version (`codec.ts` adds those). */
  encodeBody(encoder: Encoder): void
}

/**
 * Bounds on what a decoded state may hold. Remote input must not make a node allocate without limit, so
 * every count and length is checked against these before anything is built.
 */
export interface CrdtLimits {
  /** Elements, entries or keys in one state. */
  readonly maxEntries: number
  /** Distinct actors named in one state (version vectors, counters). */
  readonly maxActors: number
  /** Bytes of one element, id, key or actor id. */
  readonly maxKeyBytes: number
  /** Bytes of one value. */
  readonly maxValueBytes: number
  /** The largest top-N capacity. */
  readonly maxCapacity: number
}

export const DEFAULT_CRDT_LIMITS: CrdtLimits = Object.freeze({
  maxEntries: 100_000,
  maxActors: 4_096,
  maxKeyBytes: 1_024,
  maxValueBytes: 65_536,
  maxCapacity: 100_000,
})

/** Byte-wise order of two byte strings (shorter first on a common prefix): the tie-break of values. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Code-unit order of strings, the canonical order of keys, ids and actors in every encoding. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
