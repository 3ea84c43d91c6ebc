/**
 * The realm's pre-shared key, read from a file of 64 hex characters (32 bytes). A file rather than a flag
 * so that the key stays out of shell history and `ps`. Messages say how to make a valid one.
 */
import { readFileSync, statSync } from 'node:fs'
import { MeshError, type MeshErrorCode } from '../../kernel/index.ts'

export const REALM_KEY_BYTES = 32
/** A hex key with a newline and some whitespace is < 100 bytes; anything much larger is the wrong file. */
const MAX_REALM_KEY_FILE_BYTES = 4_096

/** `label` names the option in messages (`--realm-key` or `config file x.json: realmKey`). */
export function readRealmKey(path: string, label: string, code: MeshErrorCode): Uint8Array {
  const howTo = `make one with: openssl rand -hex ${REALM_KEY_BYTES} > ${path}`
  let text: string
  try {
    const size = statSync(path).size
    if (size > MAX_REALM_KEY_FILE_BYTES) {
      throw new MeshError(
        code,
        `${label} file ${path} is ${size} bytes; a realm key file holds 64 hex characters (${howTo})`,
      )
    }
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    if (error instanceof MeshError) throw error
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read'
    throw new MeshError(code, `${label} file ${path} ${reason} (${howTo})`)
  }
  if (!/^[0-9a-fA-F]*$/.test(text)) {
    throw new MeshError(code, `${label} file ${path} must contain only hex characters 0-9 and a-f (${howTo})`)
  }
  if (text.length !== REALM_KEY_BYTES * 2) {
    throw new MeshError(
      code,
      `${label} file ${path} must contain exactly ${REALM_KEY_BYTES * 2} hex characters (${REALM_KEY_BYTES} bytes), found ${text.length} (${howTo})`,
    )
  }
  return Uint8Array.from(Buffer.from(text, 'hex'))
}
