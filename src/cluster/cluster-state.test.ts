import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { type ClusterState, readState, writeStateIfPresent } from './cluster-state.ts'

const STATE: ClusterState = {
  version: 2,
  realm: 'cluster-test',
  connectionClass: 'lan',
  linkProfile: null,
  basePort: 17_000,
  nodes: [],
}

describe('cluster state', () => {
  it('a kill that races the cleanup of `meshwork start` finds the directory gone and writes nothing', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'meshwork-state-'))
    assert.equal(writeStateIfPresent(dir, STATE), true)
    assert.deepEqual(readState(dir), STATE)
    rmSync(dir, { recursive: true, force: true })
    assert.equal(writeStateIfPresent(dir, STATE), false)
  })
})
