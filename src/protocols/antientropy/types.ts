/**
 * Anti-entropy's messages, events and the one interface it needs from the layer above: the objects this
 * node replicates and, for each, its fingerprint and item ids. The core knows nothing of CRDT types; an
 * item id is whatever 32-byte hash the upper layer gives an item (a delta, an entry, a dot).
 */
import type { Millis, NodeId } from '../../kernel/index.ts'

export interface ItemSource {
  /**
   * The objects this node replicates, including those it holds no items of yet (a new node must be able
   * to say it has nothing). A digest names a random sample when there are more than `maxDigestObjects`.
   */
  names(): readonly string[]
  /** A 16-byte fingerprint of the object's state: equal states, equal fingerprints. */
  fingerprint(name: string): Uint8Array
  /**
   * The object's item ids, 32 bytes each, ascending byte order (unsorted input is sorted, at a cost);
   * undefined when this node does not replicate `name`. Read once per reconciliation: the items must
   * not change while the fingerprint stays the same (an index is kept between sessions by fingerprint).
   */
  items(name: string): readonly Uint8Array[] | undefined
}

export const OBJECT_FINGERPRINT_BYTES = 16

export interface DigestEntry {
  readonly name: string
  readonly fingerprint: Uint8Array
}

/** One object's reconciliation message (`rbsr-codec.ts`); an empty payload means the sender gave up. */
export interface ReconcilePart {
  readonly name: string
  readonly payload: Uint8Array
}

export type AntiEntropyMessage =
  /** Opens a session: the sender's objects and their fingerprints. */
  | { readonly type: 'digest'; readonly session: number; readonly objects: readonly DigestEntry[] }
  /**
   * The reconciliations of one session, one part per object still in progress. The answer to a digest
   * carries the first message for every object whose fingerprints differ, and no parts when none do.
   */
  | {
      readonly type: 'reconcile'
      readonly session: number
      /** Sent by the node that sent the digest: sessions are told apart by who opened them. */
      readonly fromInitiator: boolean
      readonly parts: readonly ReconcilePart[]
    }

export type AntiEntropyMessageType = AntiEntropyMessage['type']

/**
 * An object differs from `peer`'s: `have` are ids only this node holds (send those items), `need` ids
 * only the peer holds (the peer learns them as its `have`, and sends them). Emitted by both sides.
 */
export interface ReconcileNeededEvent {
  readonly type: 'ReconcileNeeded'
  readonly at: Millis
  readonly peer: NodeId
  readonly name: string
  readonly have: readonly Uint8Array[]
  readonly need: readonly Uint8Array[]
}

export type AntiEntropyEvent = ReconcileNeededEvent

/** Reasons remote input is refused, for the rejection counter. */
export type AntiEntropyRejection =
  | 'stranger'
  | 'busy'
  | 'unknown-session'
  | 'unexpected-object'
  | 'too-many-messages'
  | 'reconcile-refused'
