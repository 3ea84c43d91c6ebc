/**
 * Ranges of the id space. Item ids are SHA-256 hashes, so their leading bits are uniform and a range can
 * be a dyadic interval of the key space — all ids whose first `depth` bits equal `index` — rather than an
 * interval between two ids, as in Negentropy (hoytech/negentropy, protocol v1), whose bounds are id
 * prefixes chosen from the sender's items. Both sides derive a dyadic range's children without being
 * told where they start, so a message names a parent once for all its children, and a range's address
 * costs two small varints instead of a bound per range.
 *
 * Keys are the first `KEY_BITS` bits of an id, held as exact integers in a double; 52 bits separate
 * honest hashes of any set that fits in memory. Ids that share all 52 bits fall into one deepest range,
 * which is reconciled by listing ids (`rbsr.ts`).
 */

export const KEY_BITS = 52
/** 2^52: the end of the key space. */
export const KEY_SPACE = 2 ** KEY_BITS

export interface Range {
  /** Leading bits fixed, 0 (the whole space) to `KEY_BITS`. */
  readonly depth: number
  /** The value of those bits, below 2^depth. */
  readonly index: number
}

export const WHOLE_SPACE: Range = Object.freeze({ depth: 0, index: 0 })

/** Keys one range at `depth` spans. */
function unit(depth: number): number {
  return 2 ** (KEY_BITS - depth)
}

export function rangeStart(range: Range): number {
  return range.index * unit(range.depth)
}

export function rangeEnd(range: Range): number {
  return (range.index + 1) * unit(range.depth)
}

export function childRange(parent: Range, childBits: number, child: number): Range {
  return { depth: parent.depth + childBits, index: parent.index * 2 ** childBits + child }
}

/** The first 52 bits of `id`, as an integer. */
export function keyOf(id: Uint8Array): number {
  return (
    (id[0] as number) * 2 ** 44 +
    (id[1] as number) * 2 ** 36 +
    (id[2] as number) * 2 ** 28 +
    (id[3] as number) * 2 ** 20 +
    (id[4] as number) * 2 ** 12 +
    (id[5] as number) * 2 ** 4 +
    ((id[6] as number) >> 4)
  )
}

export function containsId(range: Range, id: Uint8Array): boolean {
  const key = keyOf(id)
  return key >= rangeStart(range) && key < rangeEnd(range)
}

/**
 * A message lists ranges in key order without overlap, each after the end of the one before; a range is
 * written as its depth and how many ranges of that depth lie between that end and its start. Returns that
 * gap for `range` after a range ending at key `previousEnd`.
 */
export function gapAfter(previousEnd: number, range: Range): number {
  return range.index - Math.ceil(previousEnd / unit(range.depth))
}

/** The range at `depth` that starts `gap` ranges after key `previousEnd`; undefined past the key space. */
export function rangeAfter(previousEnd: number, depth: number, gap: number): Range | undefined {
  const index = Math.ceil(previousEnd / unit(depth)) + gap
  if (!Number.isSafeInteger(index) || index >= 2 ** depth) return undefined
  return { depth, index }
}

/**
 * The fewest dyadic ranges that cover the key space from `start` to its end, in key order: at each step
 * the largest range that starts there, at most `KEY_BITS` of them. `start` is a range start (a multiple
 * of a power of two); a reconciler covers what it could not answer with these (`rbsr.ts`).
 */
export function coverFrom(start: number): Range[] {
  const ranges: Range[] = []
  for (let key = start; key < KEY_SPACE; ) {
    let size = KEY_SPACE
    while (key % size !== 0) size /= 2
    const depth = KEY_BITS - Math.log2(size)
    ranges.push({ depth, index: key / size })
    key += size
  }
  return ranges
}
