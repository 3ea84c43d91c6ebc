/**
 * The fingerprint two sides compare for a range: the first `bytes` bytes of SHA-256 over
 * (salt ‖ sum of ids mod 2^256 ‖ varint count). Negentropy v1 hashes (sum ‖ count) and keeps 16 bytes.
 *
 * Departures, for bytes on the wire:
 * - Shorter (4 bytes by default, `RbsrConfig.fingerprintBytes`). A fingerprint only decides ranges whose
 *   counts are equal — a count that differs is a mismatch whatever the hashes say — so a false match
 *   needs equal counts, different items and a 2^-32 coincidence.
 * - Salted per session, by the initiator. A coincidence then lasts one session: the next, with another
 *   salt, finds what it hid, and the 16-byte object fingerprints (`antientropy.ts`) keep saying the
 *   replicas differ until it does. Unsalted, the same two sets would collide in every session.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { ID_BYTES } from './item-index.ts'

export const SALT_BYTES = 4
export const MIN_FINGERPRINT_BYTES = 2
export const MAX_FINGERPRINT_BYTES = 16

const input = new Uint8Array(SALT_BYTES + ID_BYTES + 8)

export function rangeFingerprint(salt: number, sum: Uint8Array, count: number, bytes: number): Uint8Array {
  const view = new DataView(input.buffer)
  view.setUint32(0, salt >>> 0, true)
  input.set(sum, SALT_BYTES)
  let length = SALT_BYTES + ID_BYTES
  for (let rest = count; ; rest = Math.floor(rest / 0x80)) {
    if (rest < 0x80) {
      input[length++] = rest
      break
    }
    input[length++] = (rest % 0x80) | 0x80
  }
  return sha256(input.subarray(0, length)).subarray(0, bytes)
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
