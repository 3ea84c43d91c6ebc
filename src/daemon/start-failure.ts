/**
 * A node that cannot start says why in one line. Binding is where starts fail in practice (a port taken
 * by another node, an address this machine does not have), and libp2p reports that as one error whose
 * message lists each listen address with the socket error under it; this turns it into
 * `cannot listen on <address>: <reason>`. Errors that are already `MeshError`s pass unchanged.
 */
import { isMeshError, MeshError } from '../kernel/index.ts'

/** What a failed `listen` means to a person, by errno code; undefined when the code says nothing useful. */
export function bindFailureReason(code: string | undefined): string | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return 'the address is in use (is another node running? pick another port)'
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return 'this machine has no such address (use 127.0.0.1, or 0.0.0.0 for every interface)'
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)'
    default:
      return undefined
  }
}

/** One line for a failure of the engine's start. */
export function startFailure(error: unknown): MeshError {
  if (isMeshError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  const listenFailures = listenFailureLines(message)
  if (listenFailures.length > 0) return new MeshError('UNAVAILABLE', listenFailures.join('; '))
  const code = (error as NodeJS.ErrnoException).code
  const reason = bindFailureReason(code) ?? firstLine(message)
  return new MeshError('UNAVAILABLE', `the node could not start: ${reason}`)
}

/**
 * libp2p's `UnsupportedListenAddressesError` lists `  <multiaddr>: <error text>` per address that failed,
 * the error text beginning with its first line (`Error: listen EADDRINUSE: address already in use …`).
 */
function listenFailureLines(message: string): string[] {
  if (!/failed to be listened on/.test(message)) return []
  const lines: string[] = []
  for (const match of message.matchAll(/^ {2}(\/\S+): (.*)$/gm)) {
    const [, address, text = ''] = match
    const code = /\b(E[A-Z]{3,})\b/.exec(text)?.[1]
    const reason =
      bindFailureReason(code) ??
      (/No transport was configured/.test(text)
        ? 'no transport of this node listens on such an address'
        : text.replace(/^\w*Error: /, ''))
    lines.push(`cannot listen on ${address}: ${reason}`)
  }
  return lines
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text
}
