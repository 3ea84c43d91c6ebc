import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMeshError, MeshError } from './errors.ts'

describe('MeshError', () => {
  it('carries a code, a message and data, and is an Error', () => {
    const error = new MeshError('INVALID_CONFIG', 'probeTimeoutMs must be positive', { probeTimeoutMs: -1 })
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'MeshError')
    assert.equal(error.code, 'INVALID_CONFIG')
    assert.equal(error.message, 'probeTimeoutMs must be positive')
    assert.deepEqual(error.data, { probeTimeoutMs: -1 })
    assert.ok(error.stack?.includes('MeshError'))
  })

  it('has empty data when none is given', () => {
    assert.deepEqual(new MeshError('NOT_FOUND', 'no such member').data, {})
  })

  it('toJSON gives code, message and data, and survives JSON.stringify', () => {
    const error = new MeshError('CAPACITY_EXCEEDED', 'inbox full', { capacity: 64, dropped: 3 })
    const expected = { code: 'CAPACITY_EXCEEDED', message: 'inbox full', data: { capacity: 64, dropped: 3 } }
    assert.deepEqual(error.toJSON(), expected)
    assert.deepEqual(JSON.parse(JSON.stringify(error)), expected)
  })

  it('can be thrown and caught with its code intact', () => {
    assert.throws(
      () => {
        throw new MeshError('TIMEOUT', 'probe timed out', { afterMs: 500 })
      },
      (thrown: unknown) => isMeshError(thrown) && thrown.code === 'TIMEOUT' && thrown.data.afterMs === 500,
    )
  })
})

describe('isMeshError', () => {
  it('is true for a MeshError and false for other errors and for look-alike objects', () => {
    assert.equal(isMeshError(new MeshError('UNAVAILABLE', 'down')), true)
    assert.equal(isMeshError(new Error('plain')), false)
    assert.equal(isMeshError(new RangeError('range')), false)
    assert.equal(isMeshError({ code: 'UNAVAILABLE', message: 'down', data: {} }), false)
    assert.equal(isMeshError(undefined), false)
    assert.equal(isMeshError(null), false)
    assert.equal(isMeshError('MeshError'), false)
  })
})
