/**
 * The state store's contract in one process: definitions, the delta log, compaction, reopening, and the
 * bounds on what it accepts.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isMeshError, type MeshErrorCode } from '../kernel/index.ts'
import { type DeltaWrite, StateStore, type StateStoreOptions, type StoreRefusal } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-store-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function freshStore(options: Partial<StateStoreOptions> = {}): StateStore {
  files += 1
  return StateStore.open(join(dir, `store-${files}.db`), options)
}

/** A store with object `a`, whose two deltas (1 and 2) a snapshot has compacted. */
function compactedStore(): StateStore {
  const store = freshStore()
  store.createObject('a', 'set')
  store.appendDeltas(deltasOf('a', 1, 2))
  store.writeSnapshot('a', bytes(7), 2)
  return store
}

function reopen(store: StateStore): StateStore {
  store.close()
  return StateStore.open(store.path, store.options)
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
/** One one-byte delta of `name` per value. */
const deltasOf = (name: string, ...values: number[]): DeltaWrite[] =>
  values.map((value) => ({ name, delta: bytes(value) }))

function refused(code: MeshErrorCode, reason: StoreRefusal) {
  return (error: unknown) => isMeshError(error) && error.code === code && error.data.reason === reason
}

describe('state store', () => {
  it('gives back every object with its deltas in order after a reopen', () => {
    let store = freshStore()
    store.createObject('archive', 'topN', 100)
    store.createObject('members', 'set')
    assert.equal(store.appendDelta('archive', bytes(1)), 1)
    assert.deepEqual(
      store.appendDeltas([
        { name: 'members', delta: bytes(2) },
        { name: 'archive', delta: bytes(3) },
      ]),
      [2, 3],
    )
    store = reopen(store)
    assert.deepEqual(store.objectNames(), ['archive', 'members'])
    assert.deepEqual(store.load(), [
      {
        name: 'archive',
        type: 'topN',
        capacity: 100,
        snapshotSeq: 0,
        deltas: [
          { seq: 1, delta: bytes(1) },
          { seq: 3, delta: bytes(3) },
        ],
      },
      { name: 'members', type: 'set', snapshotSeq: 0, deltas: [{ seq: 2, delta: bytes(2) }] },
    ])
    assert.equal(store.lastSeq, 3)
    store.close()
  })

  it('creates an object idempotently and refuses the same name with another type or capacity', () => {
    const store = freshStore()
    assert.equal(store.createObject('archive', 'topN', 10), true)
    assert.equal(store.createObject('archive', 'topN', 10), false)
    assert.throws(
      () => store.createObject('archive', 'set'),
      refused('INVALID_ARGUMENT', 'definition-conflict'),
    )
    assert.throws(
      () => store.createObject('archive', 'topN', 11),
      refused('INVALID_ARGUMENT', 'definition-conflict'),
    )
    assert.throws(() => store.createObject('bad', 'topN', 0), refused('INVALID_ARGUMENT', 'capacity-invalid'))
    assert.deepEqual(store.stats().refusals, { 'capacity-invalid': 1, 'definition-conflict': 2 })
    store.close()
  })

  it('replaces the snapshot and deletes the deltas it covers in one step, keeping later ones', () => {
    let store = freshStore()
    store.createObject('a', 'set')
    store.createObject('b', 'set')
    store.appendDeltas([
      { name: 'a', delta: bytes(1) },
      { name: 'b', delta: bytes(2) },
      { name: 'a', delta: bytes(3) },
      { name: 'a', delta: bytes(4) },
    ])
    assert.equal(store.writeSnapshot('a', bytes(9, 9), 3), 2)
    assert.equal(store.stats().logDeltas, 2)
    store = reopen(store)
    const [a, b] = store.load()
    assert.deepEqual(a, {
      name: 'a',
      type: 'set',
      snapshot: bytes(9, 9),
      snapshotSeq: 3,
      deltas: [{ seq: 4, delta: bytes(4) }],
    })
    assert.deepEqual(b?.deltas, [{ seq: 2, delta: bytes(2) }])
    assert.equal(store.stats().logDeltas, 2)
    store.close()
  })

  it('never hands out a sequence number again after compaction deleted the newest deltas', () => {
    const store = reopen(compactedStore())
    assert.equal(store.appendDelta('a', bytes(3)), 3)
    assert.deepEqual(store.load()[0]?.deltas, [{ seq: 3, delta: bytes(3) }])
    store.close()
  })

  it('refuses a snapshot that would go back before the last one or cover deltas not yet written', () => {
    const store = compactedStore()
    assert.throws(
      () => store.writeSnapshot('a', bytes(7), 1),
      refused('INVALID_ARGUMENT', 'snapshot-seq-invalid'),
    )
    assert.throws(
      () => store.writeSnapshot('a', bytes(7), 3),
      refused('INVALID_ARGUMENT', 'snapshot-seq-invalid'),
    )
    assert.equal(store.writeSnapshot('a', bytes(8), 2), 0)
    store.close()
  })

  it('refuses a whole batch when one of its deltas is refused', () => {
    const store = freshStore({ maxDeltaBytes: 4 })
    store.createObject('a', 'set')
    assert.throws(
      () =>
        store.appendDeltas([
          { name: 'a', delta: bytes(1) },
          { name: 'a', delta: new Uint8Array(5) },
        ]),
      refused('CAPACITY_EXCEEDED', 'delta-too-large'),
    )
    assert.deepEqual(store.load()[0]?.deltas, [])
    assert.equal(store.lastSeq, 0)
    store.close()
  })

  it('refuses names, types and values over their bounds, and counts each refusal by reason', () => {
    const store = freshStore({
      maxNameBytes: 8,
      maxTypeBytes: 4,
      maxDeltaBytes: 4,
      maxSnapshotBytes: 8,
      maxObjects: 2,
    })
    assert.throws(() => store.createObject('ninebytes', 'set'), refused('CAPACITY_EXCEEDED', 'name-too-long'))
    assert.throws(() => store.createObject('ééééé', 'set'), refused('CAPACITY_EXCEEDED', 'name-too-long'))
    assert.throws(() => store.createObject('', 'set'), refused('INVALID_ARGUMENT', 'name-invalid'))
    assert.throws(() => store.createObject('\ud800', 'set'), refused('INVALID_ARGUMENT', 'name-invalid'))
    assert.throws(() => store.createObject('a', 'counter'), refused('CAPACITY_EXCEEDED', 'type-too-long'))
    store.createObject('a', 'set')
    store.createObject('b', 'set')
    assert.throws(() => store.createObject('c', 'set'), refused('CAPACITY_EXCEEDED', 'too-many-objects'))
    assert.throws(
      () => store.appendDelta('a', new Uint8Array(5)),
      refused('CAPACITY_EXCEEDED', 'delta-too-large'),
    )
    assert.throws(() => store.appendDelta('zz', bytes(1)), refused('NOT_FOUND', 'unknown-object'))
    assert.throws(
      () => store.appendDelta('a', [1] as unknown as Uint8Array),
      refused('INVALID_ARGUMENT', 'bytes-invalid'),
    )
    assert.throws(
      () => store.writeSnapshot('a', new Uint8Array(9), 0),
      refused('CAPACITY_EXCEEDED', 'snapshot-too-large'),
    )
    assert.deepEqual(store.stats().refusals, {
      'bytes-invalid': 1,
      'delta-too-large': 1,
      'name-invalid': 2,
      'name-too-long': 2,
      'snapshot-too-large': 1,
      'too-many-objects': 1,
      'type-too-long': 1,
      'unknown-object': 1,
    })
    store.close()
  })

  it('refuses appends once the log holds maxLogDeltas, until a snapshot compacts it', () => {
    const store = freshStore({ maxLogDeltas: 3 })
    store.createObject('a', 'set')
    store.appendDeltas(deltasOf('a', 1, 2))
    assert.throws(() => store.appendDeltas(deltasOf('a', 3, 4)), refused('CAPACITY_EXCEEDED', 'log-full'))
    store.appendDelta('a', bytes(3))
    assert.throws(() => store.appendDelta('a', bytes(4)), refused('CAPACITY_EXCEEDED', 'log-full'))
    store.writeSnapshot('a', bytes(9), store.lastSeq)
    assert.equal(store.appendDelta('a', bytes(4)), 4)
    store.close()
  })

  it('refuses options out of range with INVALID_CONFIG naming the option', () => {
    for (const options of [
      { maxNameBytes: 0 },
      { busyTimeoutMs: -1 },
      { synchronous: 'off' },
      { integrityCheck: 'no' },
    ]) {
      assert.throws(
        () => freshStore(options as Partial<StateStoreOptions>),
        (error) =>
          isMeshError(error) &&
          error.code === 'INVALID_CONFIG' &&
          error.data.name === Object.keys(options)[0],
      )
    }
  })

  it('is unavailable once closed, and closing twice is harmless', () => {
    const store = freshStore()
    store.close()
    store.close()
    assert.throws(
      () => store.load(),
      (error) => isMeshError(error) && error.code === 'UNAVAILABLE',
    )
  })

  it('reports a directory that does not exist as a file it cannot open', () => {
    const path = join(dir, 'missing', 'store.db')
    assert.throws(
      () => StateStore.open(path),
      (error) => isMeshError(error) && error.code === 'INVALID_CONFIG' && error.data.path === path,
    )
  })
})
