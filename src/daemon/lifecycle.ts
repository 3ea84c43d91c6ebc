/**
 * Graceful shutdown on SIGINT or SIGTERM: stop accepting API requests (event streams end), stop the node
 * (which announces the leave, so peers see "left" at once instead of suspecting it for seconds), wait for
 * the server to close, exit 0. A second signal, or a shutdown slower than `shutdownTimeoutMs`, exits at
 * once: an operator pressing Ctrl-C twice means it.
 */
import type { Logger } from './logger.ts'

export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number]

/** Conventional exit statuses for death by signal: 128 + the signal number. */
const SIGNAL_EXIT_STATUS: Readonly<Record<ShutdownSignal, number>> = { SIGINT: 130, SIGTERM: 143 }

export interface Stoppable {
  readonly app: { close(): Promise<unknown>; readonly server: { closeAllConnections(): void } }
  readonly node: { stop(): Promise<void> }
  /** The data directory's lock (`data-dir-lock.ts`), released once the node has stopped. */
  readonly lock?: { release(): void }
}

export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown
  off(signal: ShutdownSignal, listener: () => void): unknown
}

export interface LifecycleOptions {
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>
  /** @default process */
  readonly signals?: SignalSource
  /** @default process.exit */
  readonly exit?: (status: number) => void
  /** Leave announcement plus closing connections; a node that takes longer is stuck. @default 10_000 */
  readonly shutdownTimeoutMs?: number
}

/** Installs the signal handlers; returns the function that removes them. */
export function handleShutdownSignals(target: Stoppable, options: LifecycleOptions): () => void {
  const signals = options.signals ?? process
  const exit = options.exit ?? ((status: number) => process.exit(status))
  const { logger } = options
  let stopping = false
  const handlers = SHUTDOWN_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting at once')
        exit(SIGNAL_EXIT_STATUS[signal])
        return
      }
      stopping = true
      logger.info({ signal }, 'shutting down: leaving the mesh')
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: options.shutdownTimeoutMs ?? 10_000 }, 'shutdown took too long: exiting')
        exit(1)
      }, options.shutdownTimeoutMs ?? 10_000)
      timer.unref()
      shutdown(target).then(
        () => {
          clearTimeout(timer)
          logger.info('stopped')
          exit(0)
        },
        (error: unknown) => {
          clearTimeout(timer)
          logger.error({ err: error }, 'shutdown failed')
          exit(1)
        },
      )
    }
    signals.on(signal, handler)
    return [signal, handler] as const
  })
  return () => {
    for (const [signal, handler] of handlers) signals.off(signal, handler)
  }
}

/**
 * Stop accepting requests (new ones get 503 SHUTTING_DOWN, event streams end), stop the node, then close
 * what connections remain, wait for the server and release the data directory. Requests had the node's whole stop to finish; what is
 * still open after it is a socket a client opened and never used, which Node would otherwise keep for
 * its headers timeout (a minute).
 */
export async function shutdown(target: Stoppable): Promise<void> {
  const closed = target.app.close()
  try {
    await target.node.stop()
  } finally {
    target.app.server.closeAllConnections()
    try {
      await closed
    } finally {
      target.lock?.release()
    }
  }
}
