/** Random id sets with a known difference, for the reconciliation tests and benchmark. */
import { Random } from '../../../kernel/index.ts'
import { ID_BYTES, ItemIndex, idKey } from '../item-index.ts'

export function randomId(random: Random): Uint8Array {
  const id = new Uint8Array(ID_BYTES)
  const view = new DataView(id.buffer)
  for (let i = 0; i < ID_BYTES; i += 4) view.setUint32(i, random.nextU32())
  return id
}

export interface SetPair {
  readonly a: ItemIndex
  readonly b: ItemIndex
  /** Ids only in `a`, and only in `b`. */
  readonly onlyA: readonly Uint8Array[]
  readonly onlyB: readonly Uint8Array[]
}

/** `common` shared ids, then `onlyA` and `onlyB` ids on one side each, all distinct. */
export function setPair(seed: number, common: number, onlyA: number, onlyB: number): SetPair {
  const random = new Random(seed)
  const shared = Array.from({ length: common }, () => randomId(random))
  const a = Array.from({ length: onlyA }, () => randomId(random))
  const b = Array.from({ length: onlyB }, () => randomId(random))
  return { a: new ItemIndex([...shared, ...a]), b: new ItemIndex([...shared, ...b]), onlyA: a, onlyB: b }
}

export function hexSet(ids: readonly Uint8Array[]): Set<string> {
  return new Set(ids.map(idKey))
}
