/**
 * An `ItemSource` over plain sets of ids, for tests and simulations: each object is a set of 32-byte ids,
 * its fingerprint the first 16 bytes of SHA-256 over the sorted ids. `apply` plays the layer above: it
 * ships the items a `ReconcileNeeded` event says the peer lacks.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { compareIds, idKey } from '../item-index.ts'
import { type ItemSource, OBJECT_FINGERPRINT_BYTES, type ReconcileNeededEvent } from '../types.ts'

export class MemorySource implements ItemSource {
  readonly objects = new Map<string, Map<string, Uint8Array>>()
  /** Calls of `items`, to see the index cache at work. */
  itemReads = 0

  add(name: string, ids: Iterable<Uint8Array>): void {
    let object = this.objects.get(name)
    if (object === undefined) {
      object = new Map()
      this.objects.set(name, object)
    }
    for (const id of ids) object.set(idKey(id), id)
  }

  names(): readonly string[] {
    return [...this.objects.keys()]
  }

  fingerprint(name: string): Uint8Array {
    const ids = this.sorted(name)
    const all = new Uint8Array(ids.length * 32)
    for (let i = 0; i < ids.length; i++) all.set(ids[i] as Uint8Array, i * 32)
    return sha256(all).slice(0, OBJECT_FINGERPRINT_BYTES)
  }

  items(name: string): readonly Uint8Array[] | undefined {
    if (!this.objects.has(name)) return undefined
    this.itemReads++
    return this.sorted(name)
  }

  private sorted(name: string): Uint8Array[] {
    return [...(this.objects.get(name)?.values() ?? [])].sort(compareIds)
  }
}

/** Ships what `event` (emitted at `from`) says its peer lacks, from `from`'s source to the peer's. */
export function ship(
  event: ReconcileNeededEvent,
  sources: ReadonlyMap<string, MemorySource>,
  from: string,
): void {
  const source = sources.get(from)
  const target = sources.get(event.peer)
  if (source === undefined || target === undefined) return
  const held = source.objects.get(event.name)
  target.add(
    event.name,
    event.have.filter((id) => held?.has(idKey(id))),
  )
}
