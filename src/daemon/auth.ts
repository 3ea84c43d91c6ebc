/**
 * Bearer-token check for an API that listens off loopback (see `listen.ts`). Loopback needs no token:
 * only local users reach it, and they can read the node's data directory anyway. Tokens are compared
 * through their SHA-256 digests in constant time, so neither the content nor the length leaks by timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { onRequestHookHandler } from 'fastify'
import { apiError } from './error-handler.ts'

export function requireBearerToken(token: string): onRequestHookHandler {
  const expected = digest(token)
  return (request, reply, done) => {
    const header = request.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) {
      done()
      return
    }
    reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="meshwork"')
      .send(
        apiError(
          'UNAUTHORIZED',
          header === ''
            ? "this API needs a bearer token: send 'Authorization: Bearer <token>' (CLI: --token); the node keeps it in <dataDir>/api-token"
            : 'the bearer token is wrong; the node keeps the right one in <dataDir>/api-token',
        ),
      )
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
