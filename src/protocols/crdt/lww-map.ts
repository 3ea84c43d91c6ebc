/**
 * A last-writer-wins map: key → (timestamp, value), where a write's timestamp comes from the writer's
 * `HybridClock` (`hlc.ts`). The LWW-element map of Shapiro, Preguiça, Baquero, Zawirski, "A comprehensive
 * study of Convergent and Commutative Replicated Data Types" (INRIA RR-7506, 2011, §3.2.1 LWW-Register),
 * one register per key, in delta-state form (Almeida et al., JPDC 2018): `put` returns the one-entry map
 * it joined, and a full state is the delta of everything.
 *
 * Join: per key the greater timestamp wins. HLC timestamps are totally ordered, ending with the writer's
 * id, so two honest writers never tie; a misbehaving writer that reuses a timestamp with another value
 * would make the join depend on arrival order, so equal timestamps fall back to the greater value's
 * bytes (`compareBytes`) and the join stays commutative.
 *
 * No deletes in this version: a delete needs a tombstone (a timestamped empty register) and a rule for
 * collecting it, which the replication layer does not offer yet. A caller may write an agreed "empty"
 * value meanwhile.
 *
 * Entries are immutable and shared between states, so `clone` copies pointers and `merge` adopts the
 * other state's entry objects. A value handed out by `get` or `entries` must not be mutated.
 */
import { type Decoder, type Encoder, MeshError } from '../../kernel/index.ts'
import { checkText } from './check-text.ts'
import { type Crdt, type CrdtLimits, compareBytes, compareStrings, DEFAULT_CRDT_LIMITS } from './crdt.ts'
import { readDictionary, writeDictionary } from './dictionary.ts'
import { compareTimestamps, isTimestamp, readClockPart, type Timestamp, writeClockPart } from './hlc.ts'

export interface LwwEntry {
  readonly ts: Timestamp
  readonly value: Uint8Array
}

/** True when `a` replaces `b` in the join. */
function wins(a: LwwEntry, b: LwwEntry): boolean {
  const order = compareTimestamps(a.ts, b.ts)
  return order !== 0 ? order > 0 : compareBytes(a.value, b.value) > 0
}

export class LwwMap implements Crdt<LwwMap> {
  readonly type = 'map' as const
  /** Bounds a local `put` checks, so this replica never builds a state its peers' decoders refuse. */
  readonly limits: CrdtLimits
  private readonly byKey = new Map<string, LwwEntry>()

  constructor(limits: CrdtLimits = DEFAULT_CRDT_LIMITS) {
    this.limits = limits
  }

  get size(): number {
    return this.byKey.size
  }

  get(key: string): LwwEntry | undefined {
    return this.byKey.get(key)
  }

  /** Every entry, in key order. */
  entries(): [string, LwwEntry][] {
    return [...this.byKey].sort(byKey)
  }

  /**
   * Writes `value` at `key` stamped `ts` (from the writer's `HybridClock.now`). Returns the delta, a map of
   * this one entry, or `undefined` when the key already holds a write that wins over it. The value is
   * copied, so the caller may reuse its buffer.
   */
  put(key: string, value: Uint8Array, ts: Timestamp): LwwMap | undefined {
    this.checkPut(key, value, ts)
    const entry: LwwEntry = {
      ts: { wallMs: ts.wallMs, logical: ts.logical, node: ts.node },
      value: value.slice(),
    }
    const held = this.byKey.get(key)
    if (held !== undefined && !wins(entry, held)) return undefined
    this.byKey.set(key, entry)
    const delta = new LwwMap(this.limits)
    delta.byKey.set(key, entry)
    return delta
  }

  /** The join decomposition: one state per key; each is a valid delta and their join is this state. */
  fragments(): LwwMap[] {
    return this.entries().map(([key, entry]) => {
      const fragment = new LwwMap(this.limits)
      fragment.put(key, entry.value, entry.ts)
      return fragment
    })
  }

  merge(other: LwwMap): boolean {
    let changed = false
    for (const [key, theirs] of other.byKey) {
      const mine = this.byKey.get(key)
      if (mine === undefined || wins(theirs, mine)) {
        this.byKey.set(key, theirs)
        changed = true
      }
    }
    return changed
  }

  clone(): LwwMap {
    const copy = new LwwMap(this.limits)
    for (const [key, entry] of this.byKey) copy.byKey.set(key, entry)
    return copy
  }

  isEmpty(): boolean {
    return this.byKey.size === 0
  }

  /**
   * The node ids (writers) as a sorted dictionary, then the entries in key order: key, wallMs, logical,
   * the writer's index in the dictionary, value. Writer ids repeat across keys and are the longest part
   * of a timestamp, hence the dictionary.
   */
  encodeBody(encoder: Encoder): void {
    const indexOf = writeDictionary(
      encoder,
      Array.from(this.byKey.values(), (entry) => entry.ts.node),
    )
    const entries = this.entries()
    encoder.varUint(entries.length)
    for (const [key, entry] of entries) {
      encoder.string(key)
      writeClockPart(encoder, entry.ts)
      encoder.varUint(indexOf.get(entry.ts.node) as number)
      encoder.bytes(entry.value)
    }
  }

  /** Builds the state `decodeLwwMapBody` reads (here because it fills the private map). */
  static readBody(decoder: Decoder, limits: CrdtLimits): LwwMap {
    const map = new LwwMap(limits)
    const nodes = readDictionary(decoder, limits)
    const used = new Uint8Array(nodes.length)
    const count = decoder.count(limits.maxEntries)
    let previous: string | undefined
    for (let i = 0; i < count && decoder.error === undefined; i++) {
      const key = decoder.string(limits.maxKeyBytes)
      const { wallMs, logical } = readClockPart(decoder)
      const index = decoder.varUint()
      const value = decoder.bytes(limits.maxValueBytes)
      if (decoder.error !== undefined) break
      const node = nodes[index]
      if (node === undefined || (previous !== undefined && compareStrings(previous, key) >= 0)) {
        decoder.fail('invalid-value')
        break
      }
      used[index] = 1
      previous = key
      // a copy, so the state does not pin the frame it came in
      map.byKey.set(key, { ts: { wallMs, logical, node }, value: value.slice() })
    }
    // a writer no entry names is a redundant byte string for the same state
    if (decoder.error === undefined && used.includes(0)) decoder.fail('invalid-value')
    return map
  }

  private checkPut(key: string, value: Uint8Array, ts: Timestamp): void {
    checkText('a map key', key, this.limits.maxKeyBytes)
    if (!(value instanceof Uint8Array) || value.length > this.limits.maxValueBytes) {
      throw new MeshError(
        'INVALID_ARGUMENT',
        `a map value must be a Uint8Array of at most ${this.limits.maxValueBytes} bytes`,
      )
    }
    if (!isTimestamp(ts)) throw new MeshError('INVALID_ARGUMENT', 'a map write needs a valid HLC timestamp')
    checkText("a timestamp's node", ts.node, this.limits.maxKeyBytes)
    if (this.byKey.size >= this.limits.maxEntries && !this.byKey.has(key)) {
      throw new MeshError('CAPACITY_EXCEEDED', `the map holds ${this.byKey.size} keys, its limit`)
    }
  }
}

function byKey(a: [string, LwwEntry], b: [string, LwwEntry]): number {
  return compareStrings(a[0], b[0])
}

/**
 * Reads a body written by `encodeBody`. Refuses (as `invalid-value`) a dictionary out of strict order or
 * naming a writer no entry uses, keys out of strict order, a writer index past the dictionary and clock
 * numbers out of range: each would be a second byte string for one state.
 */
export function decodeLwwMapBody(decoder: Decoder, limits: CrdtLimits): LwwMap {
  return LwwMap.readBody(decoder, limits)
}
