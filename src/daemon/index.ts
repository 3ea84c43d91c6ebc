export {
  type ApiAddress,
  DEFAULT_API_ADDRESS,
  formatApiAddress,
  isLoopbackHost,
  parseApiAddress,
} from './api-address.ts'
export { type DaemonConfig, defaultDataDir, flagName, resolveConfig } from './config.ts'
export {
  CONFIG_DEFAULTS,
  CONFIG_KEYS,
  CONFIG_OPTIONS,
  type ConfigKey,
  type ConfigValues,
  type OptionSpec,
} from './config-options.ts'
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
export { isLogLevel, LOG_LEVELS, type LogLevel } from './log-level.ts'
export { createLogger, type Logger } from './logger.ts'
// metrics.ts is not re-exported as a value: it loads prom-client, which a node loads only when scraped
export type { MetricsExporter, MetricsOptions } from './metrics.ts'
export { REALM_KEY_BYTES, readRealmKey } from './realm-key.ts'
export { buildServer, SERVER_DEFAULTS, type ServerOptions } from './server.ts'
