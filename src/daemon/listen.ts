/**
 * Where and how the control API listens. Loopback (the default, 127.0.0.1:7070) is open to local users,
 * who could read the node's data directory anyway (web pages are kept out by `browser-guard.ts`). Any other
 * host is reachable from the network, so every request must then carry a bearer token (over TLS unless
 * the operator said `--api-insecure`, `config.ts`): 32 random bytes in hex, made on the first such start and kept in
 * `<dataDir>/api-token` (mode 0600, refused if others can read it, as ssh refuses an open key file).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { MeshError } from '../kernel/index.ts'
import { type ApiAddress, formatApiAddress, isLoopbackHost } from './config/index.ts'
import { bindFailureReason } from './start-failure.ts'

export const API_TOKEN_FILE = 'api-token'
const TOKEN_BYTES = 32

export interface ApiToken {
  readonly token: string
  readonly path: string
  /** True when this call made the file. */
  readonly created: boolean
}

/** Whether an API on `address` must demand a bearer token. */
export function needsToken(address: ApiAddress): boolean {
  return !isLoopbackHost(address.host)
}

export function loadOrCreateApiToken(dataDir: string): ApiToken {
  const path = join(dataDir, API_TOKEN_FILE)
  const existing = readToken(path)
  if (existing !== undefined) return { token: existing, path, created: false }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const token = randomBytes(TOKEN_BYTES).toString('hex')
  try {
    // 'wx': never overwrite a token another process wrote a moment ago.
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const raced = readToken(path)
    if (raced !== undefined) return { token: raced, path, created: false }
  }
  return { token, path, created: true }
}

function readToken(path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MeshError('UNAVAILABLE', `cannot read the API token file ${path}: ${(error as Error).message}`)
  }
  if (process.platform !== 'win32') {
    const mode = statSync(path).mode & 0o777
    if ((mode & 0o077) !== 0) {
      throw new MeshError(
        'INVALID_CONFIG',
        `the API token file ${path} can be read by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      )
    }
  }
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new MeshError(
      'INVALID_CONFIG',
      `the API token file ${path} does not hold a token (64 hex characters); delete it and start again to make one`,
    )
  }
  return text
}

/**
 * Listens and answers the base URL of the API (`scheme` says whether `app` was built with TLS). Failures
 * become one clear `MeshError`.
 */
export async function listenApi(
  app: FastifyInstance,
  address: ApiAddress,
  scheme: 'http' | 'https' = 'http',
): Promise<string> {
  try {
    await app.listen({ host: address.host, port: address.port })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const where = formatApiAddress(address)
    const next = formatApiAddress({ ...address, port: address.port + 1 })
    const why =
      code === 'EADDRINUSE'
        ? `the address is in use (is another node running? pick another with --api ${next})`
        : (bindFailureReason(code) ?? (error as Error).message)
    throw new MeshError('UNAVAILABLE', `cannot listen for the API on ${where}: ${why}`)
  }
  const bound = app.server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
  return `${scheme}://${formatApiAddress({ host: address.host, port })}`
}
