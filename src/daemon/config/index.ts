/**
 * The daemon's configuration: the option table of `meshwork node start`, config files, and the values
 * they are read into. A surface of its own so that the CLI can register the options and check them
 * without loading the server (Fastify, pino, prom-client).
 */
export {
  type ApiAddress,
  DEFAULT_API_ADDRESS,
  formatApiAddress,
  isLoopbackHost,
  parseApiAddress,
} from './api-address.ts'
export { type ApiTls, readPemFile } from './api-tls.ts'
export { type DaemonConfig, defaultDataDir, flagName, resolveConfig } from './config.ts'
export {
  CONFIG_DEFAULTS,
  CONFIG_KEYS,
  CONFIG_OPTIONS,
  type ConfigKey,
  type ConfigValues,
  type OptionSpec,
} from './config-options.ts'
export { isLogLevel, LOG_LEVELS, type LogLevel } from './log-level.ts'
export { ADDRESS_EXAMPLES, type AddressUse, multiaddrProblem } from './multiaddr-option.ts'
export { REALM_KEY_BYTES, readRealmKey } from './realm-key.ts'
export { editDistance, suggestName } from './suggest.ts'
