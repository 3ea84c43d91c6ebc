/**
 * Where the control API listens: `HOST:PORT` as typed on the command line (`[::1]:7070` for IPv6), and
 * whether that host is loopback, which decides whether a bearer token is needed (`listen.ts`).
 */
import { isIP } from 'node:net'

export interface ApiAddress {
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
}

export const DEFAULT_API_ADDRESS: ApiAddress = Object.freeze({ host: '127.0.0.1', port: 7070 })

/** The parsed address, or undefined when `text` is not `HOST:PORT`. */
export function parseApiAddress(text: string): ApiAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text)
  if (match === null) return undefined
  const host = match[1] ?? match[2] ?? ''
  const port = Number(match[3])
  if (port > 65_535) return undefined
  if (match[1] !== undefined && isIP(host) !== 6) return undefined
  return { host, port }
}

export function formatApiAddress(address: ApiAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}

/** `localhost`, 127.0.0.0/8 and ::1. Anything else (0.0.0.0 included) is reachable from elsewhere. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}
