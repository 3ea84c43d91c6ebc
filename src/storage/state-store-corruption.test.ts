/**
 * A damaged or foreign file is refused at open or at load with a MeshError that names it and says to
 * move it aside; it is never reset silently and no raw SQLite exception escapes. The fuzz case states the
 * law: after any flipped bytes, open and load either give back exactly what was written or refuse.
 *
 * Replay the fuzz case with MESHWORK_FUZZ_SEED=<seed> node --test src/storage/state-store-corruption.test.ts
 */
import assert from 'node:assert/strict'
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, it } from 'node:test'
import { isMeshError, Random } from '../kernel/index.ts'
import { StateStore, type StoredObject, type StoreFailure } from './index.ts'

const SEED = process.env.MESHWORK_FUZZ_SEED ?? 'state-store-corruption-v1'
const FLIP_CASES = 300
const PAGE_BYTES = 4096
const DELTA_MARKER = new TextEncoder().encode('delta-marker-0123456789-abcdefghijklmnopqrstuvwxyz')
const SNAPSHOT_FILL = 0xab

const dir = mkdtempSync(join(tmpdir(), 'meshwork-store-corruption-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** A closed store (its WAL checkpointed into the file) with two objects, a snapshot and 1,000 deltas. */
const pristine = join(dir, 'pristine.db')
let written: StoredObject[] = []
before(() => {
  const store = StateStore.open(pristine)
  store.createObject('archive', 'topN', 64)
  store.createObject('members', 'set')
  for (let batch = 0; batch < 10; batch++) {
    store.appendDeltas(
      Array.from({ length: 100 }, (_, i) => ({
        name: i % 3 === 0 ? 'archive' : 'members',
        delta: new Uint8Array(100).fill(batch * 100 + i),
      })),
    )
  }
  store.appendDelta('members', DELTA_MARKER)
  store.writeSnapshot('archive', new Uint8Array(20_000).fill(SNAPSHOT_FILL), 500)
  written = store.load()
  store.close()
})

let copies = 0
function damagedCopy(damage: (bytes: Buffer) => Buffer | string): string {
  copies += 1
  const path = join(dir, `copy-${copies}.db`)
  writeFileSync(path, damage(readFileSync(pristine)))
  return path
}

function openAndLoad(path: string): StoredObject[] {
  const store = StateStore.open(path)
  try {
    return store.load()
  } finally {
    store.close()
  }
}

function refusedAs(path: string, failure: StoreFailure) {
  return (error: unknown) =>
    isMeshError(error) &&
    error.code === 'INVALID_CONFIG' &&
    error.data.path === path &&
    error.data.failure === failure &&
    error.message.includes(path)
}

function flip(bytes: Buffer, at: number, count = 1): Buffer {
  for (let i = at; i < at + count; i++) bytes[i] = (bytes[i] as number) ^ 0xff
  return bytes
}

describe('state store corruption', () => {
  it('refuses a file whose header is garbage, and says to move it aside so peers fill it again', () => {
    const path = damagedCopy((bytes) => bytes.fill(0x5a, 0, 100))
    assert.throws(
      () => openAndLoad(path),
      (error) =>
        refusedAs(path, 'corrupted')(error) &&
        (error as Error).message.includes(`mv ${path} ${path}.corrupt`) &&
        (error as Error).message.includes('catches up on replicated state from its peers'),
    )
  })

  it('refuses a file that is not SQLite at all', () => {
    const path = damagedCopy(() => 'meshwork: not a database\n'.repeat(50))
    assert.throws(() => openAndLoad(path), refusedAs(path, 'corrupted'))
  })

  it('refuses a file truncated to half, or by its last page', () => {
    for (const cut of [0.5, 1]) {
      const path = damagedCopy((bytes) => bytes)
      const size = statSync(path).size
      truncateSync(path, cut === 1 ? size - PAGE_BYTES : Math.floor(size * cut))
      assert.throws(() => openAndLoad(path), refusedAs(path, 'corrupted'), `cut ${cut}`)
    }
  })

  it('refuses a file with flipped bytes in a b-tree page header (quick_check)', () => {
    for (const page of [3, 5, 20]) {
      const path = damagedCopy((bytes) => flip(bytes, (page - 1) * PAGE_BYTES, 8))
      assert.throws(() => openAndLoad(path), refusedAs(path, 'corrupted'), `page ${page}`)
    }
  })

  it('catches a flipped byte inside a delta or a snapshot by its checksum, naming the row', () => {
    const inDelta = damagedCopy((bytes) => flip(bytes, bytes.indexOf(DELTA_MARKER) + 10))
    assert.throws(
      () => openAndLoad(inDelta),
      (error) =>
        refusedAs(inDelta, 'checksum-mismatch')(error) && (error as Error).message.includes('"members"'),
    )
    const inSnapshot = damagedCopy((bytes) =>
      flip(bytes, bytes.indexOf(Buffer.alloc(64, SNAPSHOT_FILL)) + 1000),
    )
    assert.throws(
      () => openAndLoad(inSnapshot),
      (error) =>
        refusedAs(inSnapshot, 'checksum-mismatch')(error) && (error as Error).message.includes('"archive"'),
    )
  })

  it('finds a damaged entry of the log index with integrity_check (the default), which quick_check misses', () => {
    const path = join(dir, 'index.db')
    const store = StateStore.open(path)
    store.createObject('aaaa', 'set')
    store.createObject('bbbb', 'set')
    const fill = 0xee
    store.appendDeltas(
      Array.from({ length: 200 }, (_, i) => ({
        name: i % 2 ? 'aaaa' : 'bbbb',
        delta: new Uint8Array(100).fill(fill),
      })),
    )
    store.close()
    // a row holds the name followed by its delta; an entry of deltas_by_object holds it followed by seq
    const bytes = readFileSync(path)
    const entries: number[] = []
    for (let at = bytes.indexOf('aaaa'); at >= 0; at = bytes.indexOf('aaaa', at + 1)) {
      if (bytes[at + 4] !== fill) entries.push(at)
    }
    bytes.write('bbbb', entries[Math.floor(entries.length / 2)] as number)
    writeFileSync(path, bytes)
    StateStore.open(path, { integrityCheck: 'quick' }).close()
    assert.throws(
      () => StateStore.open(path),
      (error) => refusedAs(path, 'corrupted')(error) && (error as Error).message.includes('deltas_by_object'),
    )
  })

  it('refuses an SQLite database of another application without touching it', () => {
    const path = join(dir, 'foreign.db')
    const foreign = new DatabaseSync(path)
    foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')")
    foreign.close()
    assert.throws(() => openAndLoad(path), refusedAs(path, 'foreign-application'))
    const check = new DatabaseSync(path)
    assert.deepEqual(check.prepare('SELECT body FROM notes').all(), [{ __proto__: null, body: 'keep me' }])
    check.close()
  })

  it('refuses a store with a newer schema version, naming both versions', () => {
    const path = damagedCopy((bytes) => bytes)
    const db = new DatabaseSync(path)
    db.exec('UPDATE meta SET schema_version = 7')
    db.close()
    assert.throws(
      () => openAndLoad(path),
      (error) =>
        refusedAs(path, 'newer-schema')(error) &&
        /version 7, newer than the 1/.test((error as Error).message),
    )
  })

  it('refuses a store whose meta row or sequence high-water mark was lost', () => {
    for (const sql of ['DELETE FROM meta', "UPDATE sqlite_sequence SET seq = 3 WHERE name = 'deltas'"]) {
      const path = damagedCopy((bytes) => bytes)
      const db = new DatabaseSync(path)
      db.exec(sql)
      db.close()
      assert.throws(() => openAndLoad(path), refusedAs(path, 'corrupted'), sql)
    }
  })

  it('sets up a zero-length file as a new store (a crash before the first commit leaves one)', () => {
    const path = damagedCopy(() => '')
    assert.deepEqual(openAndLoad(path), [])
  })

  it(`gives back exactly what was written or refuses with INVALID_CONFIG, after ${FLIP_CASES} random flips`, (t) => {
    const root = new Random(SEED)
    const pristineBytes = readFileSync(pristine)
    const outcomes = { intact: 0, refused: 0 }
    const path = join(dir, 'fuzz.db')
    for (let caseIndex = 0; caseIndex < FLIP_CASES; caseIndex++) {
      const random = root.fork(caseIndex)
      const bytes = Buffer.from(pristineBytes)
      const flips = random.intBetween(1, 4)
      for (let i = 0; i < flips; i++) {
        const at = random.intBelow(bytes.length)
        bytes[at] = (bytes[at] as number) ^ (1 << random.intBelow(8))
      }
      copyFileSync(pristine, path)
      writeFileSync(path, bytes)
      let loaded: StoredObject[]
      try {
        loaded = openAndLoad(path)
      } catch (error) {
        assert.ok(
          refusedAs(
            path,
            (error as { data?: { failure?: StoreFailure } }).data?.failure ?? 'corrupted',
          )(error),
          `case ${caseIndex} of seed ${JSON.stringify(SEED)}: ${String(error)}`,
        )
        outcomes.refused += 1
        continue
      }
      assert.deepEqual(loaded, written, `case ${caseIndex} of seed ${JSON.stringify(SEED)} loaded other data`)
      outcomes.intact += 1
    }
    t.diagnostic(`seed ${JSON.stringify(SEED)}: ${JSON.stringify(outcomes)}`)
    assert.ok(outcomes.refused > 0 && outcomes.intact > 0, JSON.stringify(outcomes))
  })
})
