/**
 * The node's `Signer` on the real network: ed25519 with the node's identity key. A peer id of an ed25519
 * key embeds the public key, so a signature by "the peer this record names" is checked against the id
 * alone — no key distribution, and a member cannot speak for another.
 *
 * node:crypto does the curve work; what costs besides is turning raw keys into KeyObjects, so the public
 * keys of recently seen peers are kept (bounded) rather than imported at every check. Verification is
 * total: an id that is not an ed25519 peer id, or a signature of the wrong length, is simply false.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { BoundedMap, type NodeId, type Signer } from '../../kernel/index.ts'

const SIGNATURE_BYTES = 64
const PUBLIC_KEY_BYTES = 32
/** Public keys kept imported; a realm of this many members verifies without re-importing. */
const MAX_CACHED_KEYS = 16_384

export class Ed25519Signer implements Signer {
  private readonly privateKey: KeyObject
  private readonly publicKeys = new BoundedMap<NodeId, KeyObject>(MAX_CACHED_KEYS)
  /** Checks that failed (wrong signer, altered bytes, not an ed25519 id). */
  rejected = 0
  verified = 0

  constructor(identity: PrivateKey) {
    if (identity.type !== 'Ed25519')
      throw new TypeError(`an ed25519 identity is needed, got ${identity.type}`)
    const raw = identity.raw
    this.privateKey = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        d: Buffer.from(raw.subarray(0, 32)).toString('base64url'),
        x: Buffer.from(identity.publicKey.raw).toString('base64url'),
      },
    })
  }

  sign(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, bytes, this.privateKey))
  }

  verify(signer: NodeId, bytes: Uint8Array, signature: Uint8Array): boolean {
    const key = signature.length === SIGNATURE_BYTES ? this.publicKey(signer) : null
    const ok = key !== null && verify(null, bytes, key, signature)
    if (ok) this.verified++
    else this.rejected++
    return ok
  }

  private publicKey(peer: NodeId): KeyObject | null {
    const cached = this.publicKeys.get(peer)
    if (cached !== undefined) return cached
    try {
      const raw = peerIdFromString(peer).publicKey?.raw
      if (raw === undefined || raw.length !== PUBLIC_KEY_BYTES) return null
      const key = createPublicKey({
        format: 'jwk',
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      })
      // only real keys are kept: made-up ids must not push the keys of members out of the cache
      this.publicKeys.set(peer, key)
      return key
    } catch {
      return null
    }
  }
}
