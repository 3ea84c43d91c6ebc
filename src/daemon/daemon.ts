/**
 * One node process: the node started by an engine, its control API listening, and (when off loopback)
 * the token that guards it. The engine comes in as a function, so this runs with a fake node in tests and
 * the libp2p engine is loaded only by `meshwork node start`.
 */
import type { FastifyInstance } from 'fastify'
import type { NodeOptions, RunningNode } from '../node/index.ts'
import type { DaemonConfig } from './config/index.ts'
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts'
import { handleShutdownSignals, type LifecycleOptions, shutdown } from './lifecycle.ts'
import { listenApi, loadOrCreateApiToken, needsToken } from './listen.ts'
import { createLogger, type Logger, logNodeEvents } from './logger.ts'
import { buildServer } from './server.ts'
import { startFailure } from './start-failure.ts'

export type StartNode = (options: NodeOptions) => Promise<RunningNode>

export interface Daemon {
  readonly node: RunningNode
  readonly app: FastifyInstance
  readonly apiUrl: string
  /** The token file, when the API listens off loopback and demands one. */
  readonly tokenFile: string | undefined
  /** Held until shutdown: no second node runs on this data directory. */
  readonly lock: DataDirLock
}

export async function startDaemon(
  config: DaemonConfig,
  startNode: StartNode,
  logger: Logger,
): Promise<Daemon> {
  // The lock first: a second process on this directory would run under the same peer id.
  const lock = lockDataDir(config.node.dataDir)
  let node: RunningNode
  let token: ReturnType<typeof loadOrCreateApiToken> | undefined
  try {
    // The token next: a bad token file should stop us before the node joins anything.
    token = needsToken(config.api) ? loadOrCreateApiToken(config.node.dataDir) : undefined
    if (token?.created) logger.info({ path: token.path }, 'made a new API token')
    node = await startNode(config.node).catch((error: unknown) => {
      throw startFailure(error)
    })
  } catch (error) {
    lock.release()
    throw error
  }
  logNodeEvents(node, logger)
  const app = buildServer(node, {
    ...(token === undefined ? {} : { requireToken: token.token }),
    // Off loopback the machine has names we cannot list; the token guards it there.
    hosts: token === undefined ? 'loopback' : 'any',
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    allowFaultInjection: config.node.allowFaultInjection,
    logger,
  })
  try {
    const apiUrl = await listenApi(app, config.api, config.tls === undefined ? 'http' : 'https')
    logger.info({ peerId: node.peerId, apiUrl }, 'node running')
    return { node, app, apiUrl, tokenFile: token?.path, lock }
  } catch (error) {
    await shutdown({ app, node, lock })
    throw error
  }
}

export interface RunOptions {
  /** Signal handling, replaceable in tests. */
  readonly lifecycle?: Omit<LifecycleOptions, 'logger'>
  /** @default a pino logger on stderr at `config.logLevel` */
  readonly logger?: Logger
}

/** `startDaemon` with a logger and graceful shutdown on SIGINT/SIGTERM: what `meshwork node start` runs. */
export async function runDaemon(
  config: DaemonConfig,
  startNode: StartNode,
  options: RunOptions = {},
): Promise<Daemon> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const daemon = await startDaemon(config, startNode, logger)
  handleShutdownSignals(daemon, { logger, ...options.lifecycle })
  return daemon
}
