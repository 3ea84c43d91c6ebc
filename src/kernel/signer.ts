/**
 * Signatures as a capability handed to protocol cores: a core signs what it says about itself and checks
 * what others say about themselves, without knowing the algorithm. The libp2p engine signs with the
 * node's ed25519 identity key (the peer id is the public key, so verification needs no key exchange); the
 * simulator and unit tests use `StandInSigner`, which costs a hash instead of a curve operation.
 *
 * Both methods are synchronous and total, so a core can call them on remote input: `verify` returns false
 * for anything malformed, never throws.
 */
import type { NodeId } from './ids.ts'
import { hashString } from './random.ts'

export interface Signer {
  /** This node's signature over `bytes`. */
  sign(bytes: Uint8Array): Uint8Array
  /** Whether `signature` is the signature of `bytes` by the node `signer`. Never throws. */
  verify(signer: NodeId, bytes: Uint8Array, signature: Uint8Array): boolean
}

const STAND_IN_SIGNATURE_BYTES = 8

/**
 * A keyed hash in place of a signature, for simulations and tests, where every peer is honest: it catches
 * a record attributed to the wrong node or altered after signing (the mistakes an honest implementation
 * can make), but anyone can compute it, so it proves nothing against an adversary.
 */
export class StandInSigner implements Signer {
  readonly self: NodeId

  constructor(self: NodeId) {
    this.self = self
  }

  sign(bytes: Uint8Array): Uint8Array {
    return standInSignature(this.self, bytes)
  }

  verify(signer: NodeId, bytes: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== STAND_IN_SIGNATURE_BYTES) return false
    const expected = standInSignature(signer, bytes)
    for (let i = 0; i < STAND_IN_SIGNATURE_BYTES; i++) if (expected[i] !== signature[i]) return false
    return true
  }
}

function standInSignature(signer: NodeId, bytes: Uint8Array): Uint8Array {
  let low = hashString(signer)
  let high = hashString(signer, 0x9747b28c)
  for (let i = 0; i < bytes.length; i++) {
    low = Math.imul(low ^ (bytes[i] as number), 0x01000193)
    high = Math.imul(high ^ (bytes[i] as number), 0x5bd1e995)
  }
  const out = new Uint8Array(STAND_IN_SIGNATURE_BYTES)
  const view = new DataView(out.buffer)
  view.setUint32(0, low >>> 0)
  view.setUint32(4, (high ^ (high >>> 13)) >>> 0)
  return out
}
