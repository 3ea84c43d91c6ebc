/**
 * A 16-byte fingerprint of a replicated state: the first 16 bytes of SHA-256 over its canonical encoding
 * (`codec.ts`). Replicas that converged hold equal states and so report equal fingerprints; anti-entropy
 * compares fingerprints before it reconciles anything (Negentropy likewise truncates SHA-256 to 16 bytes).
 */
import { createHash } from 'node:crypto'
import { type AnyCrdt, encodeCrdt } from './codec.ts'

export const FINGERPRINT_BYTES = 16

export function fingerprint(state: AnyCrdt): Uint8Array {
  const digest = createHash('sha256').update(encodeCrdt(state)).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, FINGERPRINT_BYTES).slice()
}

export function fingerprintHex(state: AnyCrdt): string {
  return Buffer.from(fingerprint(state)).toString('hex')
}
