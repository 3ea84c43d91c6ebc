import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Ed25519Signer } from './ed25519-signer.ts'

async function identity(): Promise<{ signer: Ed25519Signer; id: string }> {
  const key = await generateKeyPair('Ed25519')
  return { signer: new Ed25519Signer(key), id: peerIdFromPrivateKey(key).toString() }
}

describe('ed25519 signer', () => {
  it("verifies a peer's signature against its peer id alone, and nothing else", async () => {
    const alice = await identity()
    const bob = await identity()
    const bytes = new TextEncoder().encode('a member record')
    const signature = alice.signer.sign(bytes)
    assert.equal(signature.length, 64)
    assert.equal(bob.signer.verify(alice.id, bytes, signature), true)
    assert.equal(bob.signer.verify(bob.id, bytes, signature), false, 'not signed by the peer it names')
    const altered = Uint8Array.from(bytes)
    altered[0] = (altered[0] as number) ^ 1
    assert.equal(bob.signer.verify(alice.id, altered, signature), false, 'altered after signing')
  })

  it('answers false, never throws, for ids and signatures that are not ed25519', async () => {
    const { signer, id } = await identity()
    const bytes = Uint8Array.of(1, 2, 3)
    const signature = signer.sign(bytes)
    for (const [peer, sig] of [
      ['not a peer id', signature],
      ['QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', signature], // an RSA-style (sha256) peer id
      [id, signature.subarray(0, 63)],
      [id, new Uint8Array(0)],
    ] as const) {
      assert.equal(signer.verify(peer, bytes, sig), false, peer)
    }
    assert.equal(signer.rejected, 4)
  })
})
