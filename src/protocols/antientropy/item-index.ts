/**
 * One side's items for reconciliation: 32-byte ids in ascending byte order, with prefix sums so that the
 * count, the sum and the check sum of any range of positions cost one subtraction, and a range of the
 * key space costs two binary searches. Meyer ("Range-Based Set Reconciliation", arXiv 2212.13567) keeps
 * monoid fingerprints in an augmented search tree for sets that change; a snapshot needs only prefix sums.
 *
 * The sum is Negentropy's: ids added as 256-bit little-endian numbers modulo 2^256. It is invertible, so a
 * range whose two sides differ by one item reveals that item's id as the difference of the sums (the
 * "pure cell" of an invertible Bloom lookup table; Eppstein, Goodrich, Uyeda, Varghese, "What's the
 * Difference?", SIGCOMM 2011). The check sum adds a 32-bit hash of each id, so a difference of sums
 * that is not one id (the range differs by three, say) is recognised rather than taken for one.
 */
import { fmix32 } from '../../kernel/index.ts'
import { KEY_BITS, keyOf, type Range, rangeEnd, rangeStart } from './ranges.ts'

export const ID_BYTES = 32
/** Bytes of an id prefix that names one of the holder's items (`taken` in `rbsr-codec.ts`). */
export const ID_PREFIX_BYTES = 8
/** Eight 32-bit words of the 256-bit sum, then the 32-bit check sum. */
const LIMBS = 9
const CHECK_LIMB = 8
const TWO_POW_32 = 0x1_0000_0000

/** Positions [lo, hi) in an index. */
export interface Span {
  readonly lo: number
  readonly hi: number
}

export class ItemIndex {
  /** The ids, ascending, distinct. */
  readonly ids: readonly Uint8Array[]
  /** The first 52 bits of each id. */
  private readonly keys: Float64Array
  /** Row i holds the sums of ids[0 … i − 1]. */
  private readonly prefix: Uint32Array

  /**
   * `ids` must be 32 bytes each; they are sorted and deduplicated here when they are not already (the
   * check costs one pass). Throws on an id of another length: that is the caller's bug, not remote input.
   */
  constructor(ids: readonly Uint8Array[]) {
    for (const id of ids) {
      if (id.length !== ID_BYTES) throw new RangeError(`an item id is ${ID_BYTES} bytes, got ${id.length}`)
    }
    this.ids = isStrictlyAscending(ids) ? ids : dedupe([...ids].sort(compareIds))
    const count = this.ids.length
    this.keys = new Float64Array(count)
    this.prefix = new Uint32Array((count + 1) * LIMBS)
    for (let i = 0; i < count; i++) {
      const id = this.ids[i] as Uint8Array
      this.keys[i] = keyOf(id)
      addRow(this.prefix, i, id)
    }
  }

  get size(): number {
    return this.ids.length
  }

  /** Positions [lo, hi) of the ids in `range`. */
  span(range: Range): Span {
    return { lo: this.lowerBound(rangeStart(range)), hi: this.lowerBound(rangeEnd(range)) }
  }

  /** The first position whose key is at least `key`. */
  lowerBound(key: number, from = 0, to = this.ids.length): number {
    let lo = from
    let hi = to
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.keys[mid] as number) < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The sum of ids[lo … hi − 1] modulo 2^256, little-endian. */
  sum(lo: number, hi: number): Uint8Array {
    const out = new Uint8Array(ID_BYTES)
    const view = new DataView(out.buffer)
    let borrow = 0
    for (let limb = 0; limb < CHECK_LIMB; limb++) {
      let word =
        (this.prefix[hi * LIMBS + limb] as number) - (this.prefix[lo * LIMBS + limb] as number) - borrow
      borrow = word < 0 ? 1 : 0
      if (word < 0) word += TWO_POW_32
      view.setUint32(limb * 4, word, true)
    }
    return out
  }

  /** The sum of `checkHash` over ids[lo … hi − 1], modulo 2^32. */
  check(lo: number, hi: number): number {
    return (
      ((this.prefix[hi * LIMBS + CHECK_LIMB] as number) -
        (this.prefix[lo * LIMBS + CHECK_LIMB] as number)) >>>
      0
    )
  }

  /** The position of `id`, or −1. */
  indexOf(id: Uint8Array): number {
    if (id.length !== ID_BYTES) return -1
    const key = keyOf(id)
    for (let i = this.lowerBound(key); i < this.ids.length && this.keys[i] === key; i++) {
      if (compareIds(this.ids[i] as Uint8Array, id) === 0) return i
    }
    return -1
  }

  has(id: Uint8Array): boolean {
    return this.indexOf(id) >= 0
  }

  /** Positions of the ids that begin with `prefix` (one, for distinct hashes and 8-byte prefixes). */
  withPrefix(prefix: Uint8Array): number[] {
    const found: number[] = []
    if (prefix.length < 7) return found // shorter than a key: never sent
    const key = keyOf(prefix)
    for (let i = this.lowerBound(key); i < this.ids.length && this.keys[i] === key; i++) {
      if (startsWith(this.ids[i] as Uint8Array, prefix)) found.push(i)
    }
    return found
  }
}

/** A 32-bit hash of an id for the check sum: not linear in the id, unlike the id's own bytes. */
export function checkHash(id: Uint8Array): number {
  readWords(id, WORDS)
  return hashWords(WORDS)
}

const WORDS = new Uint32Array(8)

/** The id as eight little-endian 32-bit words, into `out` (no DataView: this runs once per item). */
function readWords(id: Uint8Array, out: Uint32Array): void {
  for (let word = 0, at = 0; word < 8; word++, at += 4) {
    out[word] =
      (id[at] as number) |
      ((id[at + 1] as number) << 8) |
      ((id[at + 2] as number) << 16) |
      ((id[at + 3] as number) << 24)
  }
}

function hashWords(words: Uint32Array): number {
  let hash = 0x2545f491
  for (let word = 0; word < 8; word++) {
    hash = Math.imul(hash ^ (words[word] as number), 0x9e3779b1)
    hash = (hash << 13) | (hash >>> 19)
  }
  return fmix32(hash)
}

/**
 * The first `length` bytes of `a − b` modulo 2^256, for little-endian numbers. Borrows run from low bytes
 * to high, so those bytes depend on the first `length` bytes of `a` and `b` only: the low 8 bytes of a
 * sum difference are the 8-byte prefix of the one id it stands for.
 */
export function subtractLittleEndian(a: Uint8Array, b: Uint8Array, length = ID_BYTES): Uint8Array {
  const out = new Uint8Array(length)
  let borrow = 0
  for (let i = 0; i < length; i++) {
    let byte = (a[i] as number) - (b[i] as number) - borrow
    borrow = byte < 0 ? 1 : 0
    if (byte < 0) byte += 256
    out[i] = byte
  }
  return out
}

export function compareIds(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const difference = (a[i] as number) - (b[i] as number)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}

export function isStrictlyAscending(ids: readonly Uint8Array[]): boolean {
  for (let i = 1; i < ids.length; i++) {
    if (compareIds(ids[i - 1] as Uint8Array, ids[i] as Uint8Array) >= 0) return false
  }
  return true
}

/** A hex key for an id, for the have and need maps. */
export function idKey(id: Uint8Array): string {
  let hex = ''
  for (const byte of id) hex += byte.toString(16).padStart(2, '0')
  return hex
}

function dedupe(sorted: Uint8Array[]): Uint8Array[] {
  return sorted.filter((id, i) => i === 0 || compareIds(sorted[i - 1] as Uint8Array, id) !== 0)
}

function startsWith(id: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (id[i] !== prefix[i]) return false
  return true
}

/** Row i + 1 = row i + id (256-bit add with carry) and + checkHash(id) (modulo 2^32). */
function addRow(prefix: Uint32Array, i: number, id: Uint8Array): void {
  readWords(id, WORDS)
  const from = i * LIMBS
  const to = from + LIMBS
  let carry = 0
  for (let limb = 0; limb < CHECK_LIMB; limb++) {
    const word = (prefix[from + limb] as number) + (WORDS[limb] as number) + carry
    carry = word >= TWO_POW_32 ? 1 : 0
    prefix[to + limb] = word // a Uint32Array keeps the low 32 bits
  }
  prefix[to + CHECK_LIMB] = (prefix[from + CHECK_LIMB] as number) + hashWords(WORDS)
}

/** Whether `depth` leaves no bits to split on. */
export function isDeepest(range: Range): boolean {
  return range.depth >= KEY_BITS
}
