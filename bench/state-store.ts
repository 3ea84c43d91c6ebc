/**
 * Question: what does durability cost the state store (src/storage) — an acknowledged write under
 * `synchronous = FULL` (fsync per commit, the durability rule) against NORMAL, batching, loading at start,
 * and the structural check at open — and which row checksum is cheap enough?
 *
 * Rows:
 * - `appendDelta`: one 100-byte delta per commit, timed one by one; p50/p99/mean in µs, FULL and NORMAL.
 * - `batched`: deltas per second with 1, 10 and 100 deltas per `appendDeltas` transaction, FULL and NORMAL.
 * - `load100kDeltas`: open (with the default integrity_check) and `load()` of 100,000 100-byte deltas over 10 objects.
 * - `load10MbSnapshot`: `load()` of one object whose snapshot is 10 MB.
 * - `check100Mb`: `open()` of a ~100 MB store (100,000 deltas of 1,000 bytes) with each `integrityCheck`
 *   setting; the check's cost is the difference to `off`. The file was just written, so it is
 *   in the page cache: these are CPU costs, a cold disk adds its read time.
 * - `checksum`: CRC-32 (node:zlib) against SHA-256 (@noble/hashes, node:crypto) on 100 bytes and 10 MB.
 * Each timed row is the median of `--repeats` runs (default 3). Stores live in a temp dir under
 * os.tmpdir(), removed at the end; fsync cost depends on that file system.
 *
 * Usage: node bench/state-store.ts [--repeats 3] [--label L]
 * Writes bench/results/state-store-<date>.json (state-store-<label>-<date>.json with --label).
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { crc32 } from 'node:zlib'
import { sha256 } from '@noble/hashes/sha2.js'
import { type IntegrityCheck, StateStore, type Synchronous } from '../src/storage/index.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    label: { type: 'string' },
  },
})
const REPEATS = Number(values.repeats)
const SINGLE_APPENDS = 2_000
const WARM_UP_APPENDS = 100
const BATCH_SIZES = [1, 10, 100] as const
/** Deltas written per batch-size row; 1-delta batches under FULL take one fsync each. */
const BATCHED_DELTAS = 3_000
const LOAD_DELTAS = 100_000
const LOAD_OBJECTS = 10
const SNAPSHOT_BYTES = 10 * 1_048_576
const CHECK_DELTAS = 100_000
const CHECK_DELTA_BYTES = 1_000
const SYNCS: readonly Synchronous[] = ['full', 'normal']

const dir = mkdtempSync(join(tmpdir(), 'meshwork-bench-store-'))
let files = 0
function freshPath(): string {
  files += 1
  return join(dir, `store-${files}.db`)
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits
const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}

/** Median over repeats of one timed run in ms; `prepare` runs untimed before each. */
function timeMs<T>(prepare: () => T, run: (input: T) => void): number {
  const samples: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    const input = prepare()
    const start = process.hrtime.bigint()
    run(input)
    samples.push(elapsedMs(start))
  }
  return round(median(samples))
}

const delta = (i: number, bytes = 100): Uint8Array => new Uint8Array(bytes).fill(i & 0xff)

function appendLatency(synchronous: Synchronous): Record<string, number> {
  const store = StateStore.open(freshPath(), { synchronous })
  store.createObject('bench', 'set')
  for (let i = 0; i < WARM_UP_APPENDS; i++) store.appendDelta('bench', delta(i))
  const us: number[] = []
  for (let i = 0; i < SINGLE_APPENDS; i++) {
    const start = process.hrtime.bigint()
    store.appendDelta('bench', delta(i))
    us.push(Number(process.hrtime.bigint() - start) / 1e3)
  }
  store.close()
  us.sort((a, b) => a - b)
  const meanUs = us.reduce((sum, x) => sum + x, 0) / us.length
  return {
    p50Us: round(percentile(us, 0.5)),
    p99Us: round(percentile(us, 0.99)),
    meanUs: round(meanUs),
    deltasPerSecond: Math.round(1e6 / meanUs),
  }
}

function batchedRate(synchronous: Synchronous, batch: number): number {
  const store = StateStore.open(freshPath(), { synchronous })
  store.createObject('bench', 'set')
  const writes = Array.from({ length: batch }, (_, i) => ({ name: 'bench', delta: delta(i) }))
  const transactions = BATCHED_DELTAS / batch
  const start = process.hrtime.bigint()
  for (let i = 0; i < transactions; i++) store.appendDeltas(writes)
  const ms = elapsedMs(start)
  store.close()
  return Math.round((BATCHED_DELTAS / ms) * 1e3)
}

/** A closed store filled fast (NORMAL, 1,000 deltas per transaction): the setup is not what is timed. */
function filledStore(objects: number, deltas: number, bytes: number): string {
  const path = freshPath()
  const store = StateStore.open(path, { synchronous: 'normal', integrityCheck: 'off' })
  for (let o = 0; o < objects; o++) store.createObject(`object-${o}`, 'set')
  for (let written = 0; written < deltas; written += 1_000) {
    store.appendDeltas(
      Array.from({ length: Math.min(1_000, deltas - written) }, (_, i) => ({
        name: `object-${(written + i) % objects}`,
        delta: delta(written + i, bytes),
      })),
    )
  }
  store.close()
  return path
}

function loadRows(): Record<string, unknown> {
  const deltasPath = filledStore(LOAD_OBJECTS, LOAD_DELTAS, 100)
  const openMs = timeMs(
    () => undefined,
    () => StateStore.open(deltasPath).close(),
  )
  const loadMs = timeMs(
    () => StateStore.open(deltasPath),
    (store) => {
      store.load()
      store.close()
    },
  )
  const snapshotPath = freshPath()
  const store = StateStore.open(snapshotPath, { synchronous: 'normal' })
  store.createObject('big', 'topN', 1_000_000)
  store.writeSnapshot('big', new Uint8Array(SNAPSHOT_BYTES).fill(7), 0)
  store.close()
  const snapshotLoadMs = timeMs(
    () => StateStore.open(snapshotPath),
    (opened) => {
      opened.load()
      opened.close()
    },
  )
  return {
    load100kDeltas: {
      fileBytes: statSync(deltasPath).size,
      openMs: openMs,
      loadMs,
      loadNsPerDelta: Math.round((loadMs * 1e6) / LOAD_DELTAS),
    },
    load10MbSnapshot: { fileBytes: statSync(snapshotPath).size, loadMs: snapshotLoadMs },
  }
}

function checkRows(): Record<string, unknown> {
  const path = filledStore(LOAD_OBJECTS, CHECK_DELTAS, CHECK_DELTA_BYTES)
  const openMs = (integrityCheck: IntegrityCheck): number =>
    timeMs(
      () => undefined,
      () => StateStore.open(path, { integrityCheck }).close(),
    )
  const open = { off: openMs('off'), quick: openMs('quick'), full: openMs('full') }
  return {
    fileBytes: statSync(path).size,
    openMs: open,
    quickCheckMs: round(open.quick - open.off),
    integrityCheckMs: round(open.full - open.off),
  }
}

function checksumRows(): Record<string, unknown> {
  const small = delta(1)
  const large = new Uint8Array(SNAPSHOT_BYTES).fill(3)
  const nsPer = (runs: number, run: () => void): number => {
    const ms = timeMs(
      () => undefined,
      () => {
        for (let i = 0; i < runs; i++) run()
      },
    )
    return round((ms * 1e6) / runs)
  }
  const algorithms: Record<string, (bytes: Uint8Array) => unknown> = {
    crc32: (bytes) => crc32(bytes),
    sha256Noble: (bytes) => sha256(bytes),
    sha256NodeCrypto: (bytes) => createHash('sha256').update(bytes).digest(),
  }
  const rows: Record<string, unknown> = {}
  for (const [name, hash] of Object.entries(algorithms)) {
    rows[name] = {
      ns100Bytes: nsPer(20_000, () => hash(small)),
      ms10Mb: round(nsPer(5, () => hash(large)) / 1e6, 2),
    }
  }
  return rows
}

const loadAverage = loadavg().map((x) => round(x, 2))
try {
  const appendDelta: Record<string, unknown> = {}
  const batched: Record<string, Record<string, number>> = {}
  for (const synchronous of SYNCS) {
    appendDelta[synchronous] = appendLatency(synchronous)
    batched[synchronous] = Object.fromEntries(
      BATCH_SIZES.map((batch) => [`deltasPerSecondBatch${batch}`, batchedRate(synchronous, batch)]),
    )
    process.stderr.write(
      `${synchronous}: ${JSON.stringify({ ...(appendDelta[synchronous] as object), ...batched[synchronous] })}\n`,
    )
  }
  const loads = loadRows()
  process.stderr.write(`load: ${JSON.stringify(loads)}\n`)
  const check100Mb = checkRows()
  process.stderr.write(`check: ${JSON.stringify(check100Mb)}\n`)
  const checksum = checksumRows()
  process.stderr.write(`checksum: ${JSON.stringify(checksum)}\n`)
  const path = writeResult(values.label === undefined ? 'state-store' : `state-store-${values.label}`, {
    command: `node bench/state-store.ts --repeats ${REPEATS}`,
    fileSystem: `temp dir under ${tmpdir()}`,
    // fsync latency and the timings swing with what else the machine runs
    loadAverageAtStart: loadAverage,
    repeats: REPEATS,
    rows: { appendDelta, batched, ...loads, check100Mb, checksum },
  })
  process.stdout.write(`${JSON.stringify({ path })}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
