/**
 * A 16-byte fingerprint of a replicated state: the first 16 bytes of SHA-256 over its canonical encoding
 * (`codec.ts`). Replicas that converged hold equal states and so report equal fingerprints; anti-entropy
 * compares fingerprints before it reconciles anything (Negentropy likewise truncates SHA-256 to 16 bytes).
 * SHA-256 is @noble/hashes' (audited, pure JavaScript), so the protocol cores stay free of Node modules.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { type AnyCrdt, encodeCrdt } from './codec.ts'

export const FINGERPRINT_BYTES = 16

export function fingerprint(state: AnyCrdt): Uint8Array {
  return sha256(encodeCrdt(state)).slice(0, FINGERPRINT_BYTES)
}

export function fingerprintHex(state: AnyCrdt): string {
  let hex = ''
  for (const byte of fingerprint(state)) hex += byte.toString(16).padStart(2, '0')
  return hex
}
