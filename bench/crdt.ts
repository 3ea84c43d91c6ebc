/**
 * Question: what do the replicated types cost per entry — merging a one-entry delta, merging a whole
 * state, encoding and decoding — and does the top-N merge stay within the 1 µs per entry?
 *
 * Every row runs the real type (src/protocols/crdt) on states of `--entries` entries (default 1,000, the
 * size of a champion archive). Rows:
 * - `delta-new`: merge a one-entry delta that changes the state (a new id entering a full top-N map,
 *   evicting its last; a new element, key or counter). Deltas are made beforehand, one per merge.
 * - `delta-known`: merge the same deltas again (the duplicates gossip brings): no change.
 * - `full-10-differ`: merge a whole state that differs from the target in 10 entries; cost per entry of
 *   the merged state. Targets are cloned beforehand, so the clone is not timed.
 * - `encode`, `decode`: the canonical codec, per entry of the state.
 * - `fingerprint`: SHA-256 of the encoding, per state.
 * Each row is timed `--repeats` times (default 7) after a warm-up; the median is reported, in ns per
 * operation (per merge, or per entry where the row says so).
 *
 * Usage: node bench/crdt.ts [--entries 1000] [--repeats 7] [--label L]
 * Writes bench/results/crdt-<date>.json (crdt-<label>-<date>.json with --label).
 */
import { parseArgs } from 'node:util'
import { HybridClock } from '../src/protocols/crdt/hlc.ts'
import {
  type AnyCrdt,
  AwSet,
  decodeCrdt,
  encodeCrdt,
  fingerprint,
  GCounterMap,
  LwwMap,
  PnCounterMap,
  TopNMap,
} from '../src/protocols/crdt/index.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '7' },
    label: { type: 'string' },
  },
})
const ENTRIES = Number(values.entries)
const REPEATS = Number(values.repeats)
/** Deltas merged per timed repeat. */
const DELTAS = 20_000
const TOP_N_TARGET_NS_PER_ENTRY = 1_000

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Median over repeats of ns per unit; `prepare` runs untimed before each repeat and feeds `run`. */
function measure<T>(units: number, prepare: () => T, run: (input: T) => void): number {
  const samples: number[] = []
  for (let repeat = -1; repeat < REPEATS; repeat++) {
    const input = prepare()
    const start = process.hrtime.bigint()
    run(input)
    const ns = Number(process.hrtime.bigint() - start)
    if (repeat >= 0) samples.push(ns / units) // repeat −1 warms the JIT
  }
  return Math.round(median(samples) * 10) / 10
}

interface TypeCase {
  readonly name: string
  /** A state of ENTRIES entries. */
  state(): AnyCrdt
  /** `count` one-entry deltas, each of which changes `state`, made on copies of it. */
  newDeltas(state: AnyCrdt, count: number): AnyCrdt[]
  /** A state that differs from `state` in 10 entries. */
  differing(state: AnyCrdt): AnyCrdt
}

const value = (i: number): Uint8Array => Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 7, 7, 7, 7, 7, 7)
const id = (i: number): string => `champion-${i.toString(16).padStart(8, '0')}`

const cases: TypeCase[] = [
  {
    name: 'topN',
    state() {
      const map = new TopNMap(ENTRIES)
      for (let i = 0; i < ENTRIES; i++) map.offer(id(i), i, value(i))
      return map
    },
    newDeltas(state, count) {
      // each enters at the front (the longest move of the ordered array) and evicts the last entry
      const source = state.clone() as TopNMap
      return Array.from(
        { length: count },
        (_, i) => source.offer(id(ENTRIES + i), ENTRIES + i, value(i)) as TopNMap,
      )
    },
    differing(state) {
      const other = state.clone() as TopNMap
      for (let i = 0; i < 10; i++) other.offer(id(i * 97), ENTRIES * 2 + i, value(i))
      return other
    },
  },
  {
    name: 'set',
    state() {
      const set = new AwSet()
      for (let i = 0; i < ENTRIES; i++) set.add(`actor-${i % 16}`, id(i))
      return set
    },
    newDeltas(state, count) {
      const source = state.clone() as AwSet
      return Array.from({ length: count }, (_, i) => source.add('actor-new', id(ENTRIES + i)) as AwSet)
    },
    differing(state) {
      const other = state.clone() as AwSet
      for (let i = 0; i < 5; i++) other.add('actor-other', id(ENTRIES + i))
      for (let i = 0; i < 5; i++) other.remove(id(i * 97))
      return other
    },
  },
  {
    name: 'map',
    state() {
      const map = new LwwMap()
      const clock = new HybridClock('writer')
      for (let i = 0; i < ENTRIES; i++) map.put(id(i), value(i), clock.now(1_000 + i))
      return map
    },
    newDeltas(state, count) {
      const source = state.clone() as LwwMap
      const clock = new HybridClock('other')
      return Array.from(
        { length: count },
        (_, i) => source.put(id(ENTRIES + i), value(i), clock.now(10_000 + i)) as LwwMap,
      )
    },
    differing(state) {
      const other = state.clone() as LwwMap
      const clock = new HybridClock('other')
      for (let i = 0; i < 10; i++) other.put(id(i * 97), value(i + 1), clock.now(100_000 + i))
      return other
    },
  },
  {
    name: 'counter',
    state() {
      const map = new PnCounterMap()
      for (let i = 0; i < ENTRIES; i++) map.inc(`actor-${i % 16}`, id(i), (i % 5) + 1)
      return map
    },
    newDeltas(state, count) {
      const source = state.clone() as PnCounterMap
      return Array.from(
        { length: count },
        (_, i) => source.inc('actor-new', id(ENTRIES + i), 1) as PnCounterMap,
      )
    },
    differing(state) {
      const other = state.clone() as PnCounterMap
      for (let i = 0; i < 10; i++) other.inc('actor-other', id(i * 97), -1)
      return other
    },
  },
  {
    name: 'gcounter',
    state() {
      const map = new GCounterMap()
      for (let i = 0; i < ENTRIES; i++) map.inc(`actor-${i % 16}`, id(i), (i % 5) + 1)
      return map
    },
    newDeltas(state, count) {
      const source = state.clone() as GCounterMap
      return Array.from(
        { length: count },
        (_, i) => source.inc('actor-new', id(ENTRIES + i), 1) as GCounterMap,
      )
    },
    differing(state) {
      const other = state.clone() as GCounterMap
      for (let i = 0; i < 10; i++) other.inc('actor-other', id(i * 97), 1)
      return other
    },
  },
]

function merge(into: AnyCrdt, from: AnyCrdt): boolean {
  return (into as { merge(other: AnyCrdt): boolean }).merge(from)
}

const rows: Record<string, Record<string, number>> = {}
for (const c of cases) {
  const base = c.state()
  const encoded = encodeCrdt(base)
  const deltas = c.newDeltas(base, DELTAS)
  const other = c.differing(base)
  // one target per delta-new repeat: a fresh copy, since each delta changes it
  const deltaNew = measure(
    DELTAS,
    () => base.clone(),
    (target) => {
      for (const delta of deltas) merge(target, delta)
    },
  )
  const seen = base.clone()
  for (const delta of deltas) merge(seen, delta)
  const deltaKnown = measure(
    DELTAS,
    () => seen,
    (target) => {
      for (const delta of deltas) merge(target, delta)
    },
  )
  const FULL_MERGES = 200
  const fullDiffer = measure(
    FULL_MERGES * ENTRIES,
    () => Array.from({ length: FULL_MERGES }, () => base.clone()),
    (targets) => {
      for (const target of targets) merge(target, other)
    },
  )
  const CODEC_RUNS = 50
  const encode = measure(
    CODEC_RUNS * ENTRIES,
    () => base,
    (state) => {
      for (let i = 0; i < CODEC_RUNS; i++) encodeCrdt(state)
    },
  )
  const decode = measure(
    CODEC_RUNS * ENTRIES,
    () => encoded,
    (bytes) => {
      for (let i = 0; i < CODEC_RUNS; i++)
        if (!decodeCrdt(bytes).ok) throw new Error(`${c.name}: decode failed`)
    },
  )
  const fingerprintNs = measure(
    CODEC_RUNS,
    () => base,
    (state) => {
      for (let i = 0; i < CODEC_RUNS; i++) fingerprint(state)
    },
  )
  rows[c.name] = {
    encodedBytes: encoded.length,
    bytesPerEntry: Math.round((encoded.length / ENTRIES) * 10) / 10,
    deltaNewNsPerMerge: deltaNew,
    deltaKnownNsPerMerge: deltaKnown,
    fullMerge10DifferNsPerEntry: fullDiffer,
    encodeNsPerEntry: encode,
    decodeNsPerEntry: decode,
    fingerprintNsPerState: fingerprintNs,
  }
  process.stderr.write(`${c.name}: ${JSON.stringify(rows[c.name])}\n`)
}

const topN = rows.topN as Record<string, number>
const worstTopNMerge = Math.max(topN.deltaNewNsPerMerge as number, topN.fullMerge10DifferNsPerEntry as number)
const path = writeResult(values.label === undefined ? 'crdt' : `crdt-${values.label}`, {
  command: `node bench/crdt.ts --entries ${ENTRIES} --repeats ${REPEATS}`,
  entries: ENTRIES,
  repeats: REPEATS,
  targets: {
    topNMergeNsPerEntry: {
      value: worstTopNMerge,
      limit: TOP_N_TARGET_NS_PER_ENTRY,
      met: worstTopNMerge <= TOP_N_TARGET_NS_PER_ENTRY,
    },
  },
  rows,
})
process.stdout.write(`${JSON.stringify({ targets: { topNMergeNsPerEntry: worstTopNMerge }, path })}\n`)
