export * from './config/index.ts'
export { type Daemon, type RunOptions, runDaemon, type StartNode, startDaemon } from './daemon.ts'
export {
  handleShutdownSignals,
  type LifecycleOptions,
  SHUTDOWN_SIGNALS,
  type ShutdownSignal,
  type SignalSource,
  shutdown,
} from './lifecycle.ts'
export { API_TOKEN_FILE, type ApiToken, listenApi, loadOrCreateApiToken, needsToken } from './listen.ts'
export { createLogger, type Logger } from './logger.ts'
// metrics.ts is not re-exported as a value: it loads prom-client, which a node loads only when scraped
export type { MetricsExporter, MetricsOptions } from './metrics.ts'
export { buildServer, SERVER_DEFAULTS, type ServerOptions } from './server.ts'
