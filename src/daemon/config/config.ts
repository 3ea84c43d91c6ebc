/**
 * The daemon's configuration: defaults, then a JSON config file (`--config FILE`, same option names in
 * camelCase), then flags, each later source overriding the earlier. Every value is checked by the option
 * table in `config-options.ts`; this file reads the file, refuses unknown options (suggesting the one
 * probably meant), merges, reads the realm key and turns the result into `NodeOptions`.
 *
 * Paths in a config file are relative to the file's directory, so a file works wherever it is used from.
 */
import { readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { MeshError } from '../../kernel/index.ts'
import type { NodeOptions } from '../../node/index.ts'
import { type ApiAddress, formatApiAddress, isLoopbackHost } from './api-address.ts'
import { type ApiTls, readPemFile } from './api-tls.ts'
import {
  CONFIG_DEFAULTS,
  CONFIG_KEYS,
  CONFIG_OPTIONS,
  type ConfigKey,
  type ConfigValues,
  type ValueSource,
} from './config-options.ts'
import type { LogLevel } from './log-level.ts'
import { readRealmKey } from './realm-key.ts'
import { suggestName } from './suggest.ts'

/** A config file is a few hundred bytes; a megabyte is the wrong file. */
const MAX_CONFIG_FILE_BYTES = 1_048_576

export interface DaemonConfig {
  readonly node: NodeOptions
  readonly api: ApiAddress
  /** The API's certificate and key, read from `--api-cert` and `--api-key`; the API serves HTTPS. */
  readonly tls?: ApiTls
  readonly logLevel: LogLevel
}

type PartialValues = { -readonly [Key in ConfigKey]?: ConfigValues[Key] }

/**
 * `flags` are commander's values for the options given on the command line only (text, or booleans for
 * switches), plus `config`, the path of a config file. Throws `MeshError` with a message fit to print.
 */
export function resolveConfig(flags: Readonly<Record<string, unknown>>, cwd = process.cwd()): DaemonConfig {
  const configPath = flags.config
  if (configPath !== undefined && (typeof configPath !== 'string' || configPath === '')) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `--config must be the path of a JSON file, got '${String(configPath)}'`,
    )
  }
  const file =
    configPath === undefined ? { values: {}, labels: {} } : readConfigFile(resolve(cwd, configPath))
  const fromFlags: PartialValues = {}
  const labels: Partial<Record<ConfigKey, ValueSource>> = { ...file.labels }
  for (const key of CONFIG_KEYS) {
    if (flags[key] === undefined) continue
    const source: ValueSource = { label: flagName(key), fromFlag: true, baseDir: cwd }
    assign(fromFlags, key, CONFIG_OPTIONS[key].read(flags[key], source))
    labels[key] = source
  }
  const values: ConfigValues = { ...CONFIG_DEFAULTS, ...file.values, ...fromFlags }
  const keySource = labels.realmKey
  const realmKey =
    values.realmKey === undefined || keySource === undefined
      ? undefined
      : readRealmKey(
          values.realmKey,
          keySource.label,
          keySource.fromFlag ? 'INVALID_ARGUMENT' : 'INVALID_CONFIG',
        )
  const tls = readApiTls(values, labels)
  return {
    ...(tls === undefined ? {} : { tls }),
    node: {
      realm: values.realm,
      ...(realmKey === undefined ? {} : { realmKey }),
      seeds: values.seeds,
      listen: values.listen,
      connectionClass: values.connectionClass,
      labels: values.labels,
      capacity: values.capacity,
      memoryMb: values.memoryMb,
      region: values.region,
      hidden: values.hidden,
      dataDir: values.dataDir ?? defaultDataDir(values.realm),
      mdns: values.mdns,
      dht: values.dht,
      nat: values.nat,
      relay: values.relay,
      maxConnections: values.maxConnections,
      allowPeers: values.allowPeers,
      allowFaultInjection: values.allowFaultInjection,
    },
    api: values.api,
    logLevel: values.logLevel,
  }
}

/**
 * Off loopback the API is reachable from the network, where the bearer token must not travel readable:
 * TLS, or an explicit `--api-insecure` for a network the operator trusts.
 */
function readApiTls(
  values: ConfigValues,
  labels: Partial<Record<ConfigKey, ValueSource>>,
): ApiTls | undefined {
  const label = (key: ConfigKey): string => labels[key]?.label ?? flagName(key)
  const code = (key: ConfigKey) => (labels[key]?.fromFlag === false ? 'INVALID_CONFIG' : 'INVALID_ARGUMENT')
  if ((values.apiCert === undefined) !== (values.apiKey === undefined)) {
    const given: ConfigKey = values.apiCert === undefined ? 'apiKey' : 'apiCert'
    throw new MeshError(
      code(given),
      `${label('apiCert')} and ${label('apiKey')} go together: give both, or neither`,
    )
  }
  if (values.apiCert !== undefined && values.apiKey !== undefined) {
    return {
      cert: readPemFile(values.apiCert, label('apiCert'), 'CERTIFICATE', code('apiCert')),
      key: readPemFile(values.apiKey, label('apiKey'), 'PRIVATE KEY', code('apiKey')),
    }
  }
  if (!isLoopbackHost(values.api.host) && !values.apiInsecure) {
    throw new MeshError(
      code('api'),
      `${label('api')} ${formatApiAddress(values.api)} is reachable from other machines: give it a certificate with --api-cert FILE --api-key FILE, or accept plain HTTP with --api-insecure (the bearer token then crosses the network readable)`,
    )
  }
  return undefined
}

export function defaultDataDir(realm: string): string {
  return join(homedir(), '.meshwork', realm)
}

/** The option's flag as typed, e.g. `--memory-mb` (or `--no-mdns`). */
export function flagName(key: ConfigKey): string {
  return CONFIG_OPTIONS[key].flags.split(' ')[0] ?? key
}

function readConfigFile(path: string): {
  values: PartialValues
  labels: Partial<Record<ConfigKey, ValueSource>>
} {
  const where = `config file ${path}`
  let text: string
  try {
    const size = statSync(path).size
    if (size > MAX_CONFIG_FILE_BYTES) {
      throw new MeshError('INVALID_CONFIG', `${where} is ${size} bytes; is it the right file?`)
    }
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof MeshError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`
    throw new MeshError('INVALID_CONFIG', `${where} ${reason}; check the path given to --config`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new MeshError('INVALID_CONFIG', `${where} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MeshError(
      'INVALID_CONFIG',
      `${where} must hold one JSON object of options, like {"realm": "lab", "capacity": 4}`,
    )
  }
  const values: PartialValues = {}
  const labels: Partial<Record<ConfigKey, ValueSource>> = {}
  for (const [name, value] of Object.entries(parsed)) {
    if (!isConfigKey(name)) {
      const suggestion = suggestName(name, CONFIG_KEYS)
      throw new MeshError(
        'INVALID_CONFIG',
        `${where}: unknown option "${name}" ${
          suggestion === undefined
            ? `(the options are ${CONFIG_KEYS.join(', ')})`
            : `(did you mean "${suggestion}"?)`
        }`,
      )
    }
    const source: ValueSource = { label: `${where}: ${name}`, fromFlag: false, baseDir: dirname(path) }
    assign(values, name, CONFIG_OPTIONS[name].read(value, source))
    labels[name] = source
  }
  return { values, labels }
}

function isConfigKey(name: string): name is ConfigKey {
  return Object.hasOwn(CONFIG_OPTIONS, name)
}

function assign<Key extends ConfigKey>(target: PartialValues, key: Key, value: ConfigValues[Key]): void {
  target[key] = value
}
