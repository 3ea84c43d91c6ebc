/**
 * Keeps web pages away from the control API. A page can make the browser send requests to any address,
 * loopback included; two attacks follow, and one check stops each:
 *
 * - DNS rebinding: a page on `attacker.example` re-points that name at 127.0.0.1, and its scripts then
 *   read `http://attacker.example:7070/v1/members` as their own origin, or post faults. The browser still
 *   sends `Host: attacker.example:7070`, so an API on loopback serves only loopback names (`localhost`,
 *   127.0.0.0/8, `::1`, any port). Off loopback the Host is any name of the machine; the bearer token,
 *   which no page knows, guards it there.
 * - Cross-site requests: a page on another origin posting to the API. Browsers mark every such request
 *   with an `Origin` header; it is refused unless it is the API's own origin (the dashboard the daemon is
 *   to serve). curl, scripts and the CLI send no Origin.
 *
 * The same defence as the Kubernetes and Jupyter servers' host and origin allow-lists, and what
 * Chrome's Private Network Access aims at from the browser's side.
 */
import { isIP } from 'node:net'
import type { onRequestHookHandler } from 'fastify'
import { isLoopbackHost } from './config/index.ts'
import { apiError } from './error-handler.ts'

export type AllowedHosts = 'loopback' | 'any'

export function browserGuard(hosts: AllowedHosts): onRequestHookHandler {
  return (request, reply, done) => {
    const host = request.headers.host
    // HTTP/1.0 clients may send no Host; browsers always do.
    if (hosts === 'loopback' && host !== undefined && !isLoopbackHost(hostName(host))) {
      reply
        .code(403)
        .send(
          apiError(
            'HOST_NOT_ALLOWED',
            'this API listens on loopback and answers only requests addressed to localhost, 127.0.0.1 or [::1]',
          ),
        )
      return
    }
    const origin = request.headers.origin
    if (
      origin !== undefined &&
      origin.toLowerCase() !== `${request.protocol}://${host ?? ''}`.toLowerCase()
    ) {
      reply
        .code(403)
        .send(apiError('ORIGIN_NOT_ALLOWED', 'this API does not answer web pages of other origins'))
      return
    }
    done()
  }
}

/** The name in a Host header: `[::1]:7070` → `::1`, `LocalHost:80` → `localhost`. */
export function hostName(header: string): string {
  const lower = header.toLowerCase()
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(lower)
  if (bracketed !== null) return isIP(bracketed[1] ?? '') === 6 ? (bracketed[1] ?? '') : lower
  return lower.replace(/:\d*$/, '')
}
