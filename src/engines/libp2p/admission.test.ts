import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { admissionProof, realmKey } from './admission.ts'

const nonce = (fill: number): Uint8Array => new Uint8Array(32).fill(fill)

describe('realm admission proofs', () => {
  const key = realmKey('prod', new Uint8Array(32).fill(1))

  it('derives different keys for different realms and pre-shared keys', () => {
    assert.notDeepEqual(realmKey('prod'), realmKey('test'))
    assert.notDeepEqual(key, realmKey('prod', new Uint8Array(32).fill(2)))
    assert.notDeepEqual(key, realmKey('prod'))
  })

  it('binds the proof to the role, both peer ids and both nonces', () => {
    const proof = admissionProof(key, 'responder', 'alice', 'bob', nonce(1), nonce(2))
    assert.deepEqual(proof, admissionProof(key, 'responder', 'alice', 'bob', nonce(1), nonce(2)))
    for (const other of [
      admissionProof(key, 'initiator', 'alice', 'bob', nonce(1), nonce(2)),
      admissionProof(key, 'responder', 'bob', 'alice', nonce(1), nonce(2)),
      admissionProof(key, 'responder', 'alice', 'bob', nonce(3), nonce(2)),
      admissionProof(key, 'responder', 'alice', 'bob', nonce(1), nonce(3)),
      admissionProof(realmKey('other'), 'responder', 'alice', 'bob', nonce(1), nonce(2)),
    ]) {
      assert.notDeepEqual(proof, other)
    }
  })

  it('cannot be confused by shifting characters between peer ids', () => {
    assert.notDeepEqual(
      admissionProof(key, 'initiator', 'ab', 'c', nonce(1), nonce(2)),
      admissionProof(key, 'initiator', 'a', 'bc', nonce(1), nonce(2)),
    )
  })
})
