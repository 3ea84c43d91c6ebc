/**
 * The control API's TLS certificate and key, read from PEM files (`--api-cert`, `--api-key`) when the
 * config is resolved, so that a wrong path stops the daemon before the node joins anything.
 */
import { readFileSync, statSync } from 'node:fs'
import { MeshError, type MeshErrorCode } from '../../kernel/index.ts'

export interface ApiTls {
  /** PEM certificate chain, leaf first. */
  readonly cert: string
  /** PEM private key. */
  readonly key: string
}

/** A certificate chain of a few kilobytes; a megabyte is the wrong file. */
const MAX_PEM_FILE_BYTES = 1_048_576

/** `kind` is what the PEM label must end with: `CERTIFICATE`, or `PRIVATE KEY` (PKCS#8, RSA or EC). */
export function readPemFile(path: string, label: string, kind: string, code: MeshErrorCode): string {
  let text: string
  try {
    const size = statSync(path).size
    if (size > MAX_PEM_FILE_BYTES)
      throw new MeshError(code, `${label} file ${path} is ${size} bytes; is it the right file?`)
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof MeshError) throw error
    const errno = (error as NodeJS.ErrnoException).code
    const reason = errno === 'ENOENT' ? 'does not exist' : `cannot be read (${errno ?? String(error)})`
    throw new MeshError(code, `${label} file ${path} ${reason}`)
  }
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw new MeshError(
      code,
      `${label} file ${path} is not a PEM ${kind.toLowerCase()} (-----BEGIN ${kind}-----)`,
    )
  }
  return text
}
