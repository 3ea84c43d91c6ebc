/**
 * The named objects one node replicates, with what anti-entropy asks of them (`ItemSource`): a 16-byte
 * fingerprint per object and its item ids, the SHA-256 of each fragment of the object's join
 * decomposition (`fragments()` on every CRDT). Fingerprints and items are computed when asked and cached
 * until the object changes; the fragments of the last two generations are kept by id so that the ids a
 * reconciliation found (which may have started before a change) can still be shipped.
 *
 * Bounded: `maxObjects` objects; a remote batch or repair naming a new object creates it only while
 * there is room (refused and counted otherwise).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { MeshError } from '../../kernel/index.ts'
import { type ItemSource, idKey } from '../antientropy/index.ts'
import { type AnyCrdt, type CrdtLimits, encodeCrdt, fingerprint } from '../crdt/index.ts'
import { emptyState } from './operations.ts'
import type { ObjectSpec } from './types.ts'

interface Items {
  readonly ids: readonly Uint8Array[]
  readonly fragments: ReadonlyMap<string, AnyCrdt>
}

interface Replica {
  readonly spec: ObjectSpec
  readonly state: AnyCrdt
  fingerprint: Uint8Array | undefined
  items: Items | undefined
  /** The generation before `items`, kept while reconciliations that read it may still ship from it. */
  previousItems: Items | undefined
}

export class ReplicaObjects implements ItemSource {
  private readonly objects = new Map<string, Replica>()
  private readonly maxObjects: number
  readonly limits: CrdtLimits

  constructor(maxObjects: number, limits: CrdtLimits) {
    this.maxObjects = maxObjects
    this.limits = limits
  }

  get size(): number {
    return this.objects.size
  }

  get hasRoom(): boolean {
    return this.objects.size < this.maxObjects
  }

  /** Creates `name` (idempotent for the same spec); a different type or capacity is an error. */
  create(name: string, spec: ObjectSpec): AnyCrdt {
    const held = this.objects.get(name)
    if (held !== undefined) {
      if (held.spec.type !== spec.type || held.spec.capacity !== spec.capacity) {
        throw new MeshError(
          'INVALID_ARGUMENT',
          `the object ${name} exists as ${describe(held.spec)}, not ${describe(spec)}`,
          { name, type: held.spec.type },
        )
      }
      return held.state
    }
    if (!this.hasRoom) {
      throw new MeshError('CAPACITY_EXCEEDED', `this node holds ${this.maxObjects} objects, its limit`)
    }
    const state = emptyState(spec, this.limits)
    this.objects.set(name, {
      spec,
      state,
      fingerprint: undefined,
      items: undefined,
      previousItems: undefined,
    })
    return state
  }

  spec(name: string): ObjectSpec | undefined {
    return this.objects.get(name)?.spec
  }

  state(name: string): AnyCrdt | undefined {
    return this.objects.get(name)?.state
  }

  /** Marks `name` changed: its fingerprint and items are computed again when next asked. */
  touched(name: string): void {
    const replica = this.objects.get(name)
    if (replica === undefined) return
    replica.fingerprint = undefined
    if (replica.items !== undefined) replica.previousItems = replica.items
    replica.items = undefined
  }

  /** The fragments of `name` with these ids (those still known), joined into one state. */
  fragmentsOf(name: string, ids: readonly Uint8Array[]): AnyCrdt | undefined {
    const replica = this.objects.get(name)
    if (replica === undefined) return undefined
    let joined: AnyCrdt | undefined
    for (const id of ids) {
      const key = idKey(id)
      const fragment = replica.items?.fragments.get(key) ?? replica.previousItems?.fragments.get(key)
      if (fragment === undefined) continue
      if (joined === undefined) joined = fragment.clone()
      else (joined as { merge(other: AnyCrdt): boolean }).merge(fragment)
    }
    return joined
  }

  // ── ItemSource ────────────────────────────────────────────────────────────────────────────────────

  names(): readonly string[] {
    return [...this.objects.keys()]
  }

  fingerprint(name: string): Uint8Array {
    const replica = this.objects.get(name)
    if (replica === undefined) return new Uint8Array(16)
    replica.fingerprint ??= fingerprint(replica.state)
    return replica.fingerprint
  }

  items(name: string): readonly Uint8Array[] | undefined {
    const replica = this.objects.get(name)
    if (replica === undefined) return undefined
    if (replica.items === undefined) {
      const fragments = new Map<string, AnyCrdt>()
      const ids: Uint8Array[] = []
      for (const fragment of (replica.state as unknown as { fragments(): AnyCrdt[] }).fragments()) {
        const id = sha256(encodeCrdt(fragment))
        fragments.set(idKey(id), fragment)
        ids.push(id)
      }
      replica.items = { ids, fragments }
    }
    return replica.items.ids
  }
}

function describe(spec: ObjectSpec): string {
  return spec.capacity === undefined ? `a ${spec.type}` : `a ${spec.type} of capacity ${spec.capacity}`
}
