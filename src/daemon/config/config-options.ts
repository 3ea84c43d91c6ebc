/**
 * The options of `meshwork node start` as one typed table (after vitest's `cli-config.ts`): each option
 * has its flag, its help, its default and one reader that accepts it from a flag's text or from a JSON
 * config file, so both sources are checked by the same code and fail with messages that name the option,
 * say what it must be, and show what it got.
 *
 * The defaults, and why:
 * - realm `default`: nodes started with no options find each other (mDNS) on a LAN.
 * - listen on every IPv4 interface, TCP and QUIC, on ports the OS picks: two nodes on one machine do not
 *   collide; seeds name their port explicitly.
 * - connection class `lan`, capacity 1, memory 0 (not advertised), no region, labels or hidden flag: the
 *   membership `DEFAULT_PROFILE`.
 * - data dir `~/.meshwork/<realm>`: one identity per realm per user.
 * - API on 127.0.0.1:7070: loopback needs no token; other hosts need the token and TLS, or an explicit
 *   `--api-insecure` (`listen.ts`, `config.ts`).
 * - mDNS on, fault injection off, log level `info`.
 */
import { statSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { CONNECTION_CLASSES, isConnectionClass, MeshError } from '../../kernel/index.ts'
import type { NodeOptions } from '../../node/index.ts'
import { WIRE_LIMITS } from '../../protocols/membership/index.ts'
import { type ApiAddress, DEFAULT_API_ADDRESS, formatApiAddress, parseApiAddress } from './api-address.ts'
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log-level.ts'
import { ADDRESS_EXAMPLES, type AddressUse, multiaddrProblem } from './multiaddr-option.ts'

/**
 * The options after reading, before the realm key file is read and the data dir defaulted: the node's
 * own options (`NodeOptions`), with the key as a file path and the data dir optional, plus the daemon's.
 */
export type ConfigValues = Readonly<
  Omit<Required<NodeOptions>, 'realmKey' | 'dataDir' | 'dhtServer' | 'log'> & {
    /** Path of the realm key file. */
    realmKey: string | undefined
    /** Undefined means `~/.meshwork/<realm>`. */
    dataDir: string | undefined
    api: ApiAddress
    /** Path of the API's PEM certificate chain; with `apiKey`, the API serves HTTPS. */
    apiCert: string | undefined
    /** Path of the API's PEM private key. */
    apiKey: string | undefined
    /** Serve plain HTTP off loopback (the token then crosses the network readable). */
    apiInsecure: boolean
    logLevel: LogLevel
  }
>

export type ConfigKey = keyof ConfigValues

export const CONFIG_DEFAULTS: ConfigValues = Object.freeze({
  realm: 'default',
  realmKey: undefined,
  seeds: [],
  listen: ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/udp/0/quic-v1'],
  connectionClass: 'lan',
  labels: [],
  capacity: 1,
  memoryMb: 0,
  region: '',
  hidden: false,
  dataDir: undefined,
  api: DEFAULT_API_ADDRESS,
  apiCert: undefined,
  apiKey: undefined,
  apiInsecure: false,
  mdns: true,
  // across networks, a realm is found through the DHT and nodes behind NAT need relays and hole punching
  dht: true,
  nat: true,
  relay: false,
  maxConnections: 300,
  allowPeers: [],
  allowFaultInjection: false,
  logLevel: 'info',
})

/** Where a value came from, which shapes the error message and how paths resolve. */
export interface ValueSource {
  /** `--capacity`, or `config file /etc/meshwork.json: capacity`. */
  readonly label: string
  readonly fromFlag: boolean
  /** Relative paths resolve from here: the working directory for flags, the file's directory for a file. */
  readonly baseDir: string
}

export interface OptionSpec<T> {
  /** Commander's syntax, e.g. `--capacity <n>`. */
  readonly flags: string
  readonly description: string
  /** Shown in `--help`; undefined for switches that are off by default. */
  readonly defaultText?: string
  /** A flag's text (or `true` for a switch) or a config file's JSON value, checked and converted. */
  readonly read: (value: unknown, source: ValueSource) => T
}

/** `why`, when given, says in a few words what is wrong with the value. */
export function invalid(source: ValueSource, requirement: string, got: unknown, why?: string): never {
  const shown = source.fromFlag && typeof got === 'string' ? `'${got}'` : JSON.stringify(got)
  throw new MeshError(
    source.fromFlag ? 'INVALID_ARGUMENT' : 'INVALID_CONFIG',
    `${source.label} must be ${requirement}, got ${shown}${why === undefined || why === '' ? '' : ` (${why})`}`,
  )
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

function text(requirement: string, ok: (value: string) => boolean): OptionSpec<string>['read'] {
  return (value, source) => {
    if (typeof value !== 'string' || !ok(value)) invalid(source, requirement, value)
    return value
  }
}

function integer(max: number): OptionSpec<number>['read'] {
  return (value, source) => {
    const number = source.fromFlag && typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
      invalid(source, 'a non-negative integer', value)
    }
    if (number > max) invalid(source, `an integer from 0 to ${max}`, value)
    return number
  }
}

function flag(): OptionSpec<boolean>['read'] {
  return (value, source) => {
    if (typeof value === 'boolean') return value
    if (source.fromFlag && (value === 'true' || value === 'false')) return value === 'true'
    return invalid(source, 'true or false', value)
  }
}

interface ItemSpec {
  readonly requirement: string
  /** Undefined when the item is fine; otherwise what is wrong with it ('' when the requirement says all). */
  readonly problem: (value: string) => string | undefined
}

/** An item spec from a plain test, for items whose requirement says everything. */
function item(requirement: string, ok: (value: string) => boolean): ItemSpec {
  return { requirement, problem: (value) => (ok(value) ? undefined : '') }
}

/** Flags take comma-separated text; files take an array of strings. Each item is checked on its own. */
function list(
  item: ItemSpec,
  maxItems: number,
  minItems?: { readonly count: number; readonly example: string },
): OptionSpec<readonly string[]>['read'] {
  return (value, source) => {
    let items: readonly string[]
    if (source.fromFlag && typeof value === 'string') {
      items = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
    } else if (Array.isArray(value) && value.every((part) => typeof part === 'string')) {
      items = value
    } else {
      return invalid(source, `an array of strings, each ${item.requirement}`, value)
    }
    if (items.length > maxItems) invalid(source, `at most ${maxItems} items`, value)
    if (minItems !== undefined && items.length < minItems.count) {
      invalid(source, `at least ${minItems.count === 1 ? 'one' : minItems.count} ${minItems.example}`, value)
    }
    items.forEach((part, index) => {
      const problem = item.problem(part)
      if (problem !== undefined) {
        const label = source.fromFlag ? source.label : `${source.label}[${index}]`
        invalid({ ...source, label }, item.requirement, part, problem)
      }
    })
    return items
  }
}

function path(what = 'a file path'): OptionSpec<string>['read'] {
  return (value, source) => {
    if (typeof value !== 'string' || value.trim() === '') invalid(source, what, value)
    if (value === '~' || value.startsWith('~/')) return resolve(homedir(), value.slice(2))
    return isAbsolute(value) ? value : resolve(source.baseDir, value)
  }
}

/** A directory, made on start when missing; something else already there is refused now, not at start. */
function directory(): OptionSpec<string>['read'] {
  const readPath = path('a directory path')
  return (value, source) => {
    const resolved = readPath(value, source)
    let kind: string | undefined
    try {
      const stats = statSync(resolved)
      if (!stats.isDirectory()) kind = stats.isFile() ? 'a file' : 'not a directory'
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // ENOENT: made on start. ENOTDIR: a file stands where a parent directory should be.
      if (code === 'ENOTDIR') kind = 'under a file'
    }
    if (kind !== undefined) invalid(source, 'a directory', value, `${resolved} is ${kind}`)
    return resolved
  }
}

/** Parsed as the engine will parse it (`multiaddr-option.ts`), and short enough for a member record. */
function address(use: AddressUse): ItemSpec {
  return {
    requirement: `a multiaddr like ${ADDRESS_EXAMPLES[use]}`,
    problem: (value) =>
      utf8Bytes(value) > WIRE_LIMITS.maxAddressBytes
        ? `longer than ${WIRE_LIMITS.maxAddressBytes} bytes`
        : multiaddrProblem(value, use),
  }
}

const peerId = item(
  'a peer id like 12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
  // base58btc (12D3KooW…, Qm…) or a base32 CID (b…).
  (value) => /^[1-9A-HJ-NP-Za-km-z]{32,128}$/.test(value) || /^b[a-z2-7]{32,128}$/.test(value),
)

export const CONFIG_OPTIONS: { readonly [Key in ConfigKey]: OptionSpec<ConfigValues[Key]> } = {
  realm: {
    flags: '--realm <name>',
    description: 'realm to join; nodes of different realms never talk',
    defaultText: CONFIG_DEFAULTS.realm,
    read: text("1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", (value) =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value),
    ),
  },
  realmKey: {
    flags: '--realm-key <file>',
    description: 'file with the realm pre-shared key: 64 hex characters (openssl rand -hex 32)',
    read: path(),
  },
  seeds: {
    flags: '--seeds <multiaddrs>',
    description: 'comma-separated multiaddrs of nodes to join through',
    defaultText: 'none',
    read: list(address('seed'), 64),
  },
  listen: {
    flags: '--listen <multiaddrs>',
    description: 'comma-separated multiaddrs to listen on',
    defaultText: CONFIG_DEFAULTS.listen.join(','),
    // A node that listens nowhere cannot be reached by the members it learns of.
    read: list(address('listen'), WIRE_LIMITS.maxAddresses, {
      count: 1,
      example: 'multiaddr, e.g. /ip4/0.0.0.0/tcp/4001',
    }),
  },
  connectionClass: {
    flags: '--connection-class <class>',
    description: `the kind of network this node is on, which sets the membership timings: ${CONNECTION_CLASSES.join(', ')}`,
    defaultText: CONFIG_DEFAULTS.connectionClass,
    read: (value, source) => {
      if (typeof value !== 'string' || !isConnectionClass(value)) {
        return invalid(source, `one of ${CONNECTION_CLASSES.join(', ')}`, value)
      }
      return value
    },
  },
  labels: {
    flags: '--labels <labels>',
    description: 'comma-separated labels this node advertises, e.g. gpu,linux',
    defaultText: 'none',
    read: list(
      item(
        `a label without spaces or commas, at most ${WIRE_LIMITS.maxLabelBytes} bytes`,
        (value) => /^[^\s,]+$/.test(value) && utf8Bytes(value) <= WIRE_LIMITS.maxLabelBytes,
      ),
      WIRE_LIMITS.maxLabels,
    ),
  },
  capacity: {
    flags: '--capacity <n>',
    description: 'task slots this node offers',
    defaultText: String(CONFIG_DEFAULTS.capacity),
    read: integer(WIRE_LIMITS.maxCapacity),
  },
  memoryMb: {
    flags: '--memory-mb <mb>',
    description: 'memory this node offers to tasks, in MiB; 0 leaves it unadvertised',
    defaultText: String(CONFIG_DEFAULTS.memoryMb),
    read: integer(WIRE_LIMITS.maxMemoryMb),
  },
  region: {
    flags: '--region <name>',
    description: 'region this node is in, e.g. eu-west',
    defaultText: 'none',
    read: text(
      `at most ${WIRE_LIMITS.maxRegionBytes} bytes of printable text`,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      (value) => utf8Bytes(value) <= WIRE_LIMITS.maxRegionBytes && !/[\u0000-\u001f\u007f]/.test(value),
    ),
  },
  hidden: {
    flags: '--hidden',
    description: 'take part in membership without being offered work or listed by default',
    read: flag(),
  },
  dataDir: {
    flags: '--data-dir <dir>',
    description: 'directory for the identity key, the API token and state',
    defaultText: '~/.meshwork/<realm>',
    read: directory(),
  },
  api: {
    flags: '--api <host:port>',
    description:
      'address of the control API; off loopback it demands the bearer token in <data-dir>/api-token, and TLS (--api-cert, --api-key) or --api-insecure',
    defaultText: formatApiAddress(CONFIG_DEFAULTS.api),
    read: (value, source) => {
      const address = typeof value === 'string' ? parseApiAddress(value) : undefined
      if (address === undefined) return invalid(source, 'HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070', value)
      return address
    },
  },
  apiCert: {
    flags: '--api-cert <file>',
    description: 'PEM certificate (chain) for the control API, which then serves HTTPS; needs --api-key',
    read: path(),
  },
  apiKey: {
    flags: '--api-key <file>',
    description: "PEM private key of --api-cert's certificate",
    read: path(),
  },
  apiInsecure: {
    flags: '--api-insecure',
    description:
      'let the API listen off loopback on plain HTTP (the token crosses the network readable; a trusted network only)',
    read: flag(),
  },
  mdns: {
    flags: '--no-mdns',
    description: 'do not discover peers on the local network with mDNS',
    read: flag(),
  },
  dht: {
    flags: '--no-dht',
    description: 'do not find realm members through the Kademlia DHT (loopback and LAN clusters need not)',
    read: flag(),
  },
  nat: {
    flags: '--no-nat',
    description: 'do not use AutoNAT, circuit relays and hole punching (not needed without NAT)',
    read: flag(),
  },
  relay: {
    flags: '--relay',
    description: 'serve as a circuit relay for realm members behind NAT (for a node with a public address)',
    read: flag(),
  },
  maxConnections: {
    flags: '--max-connections <n>',
    description:
      'connections kept to peers that are not members (DHT servers, relays, newcomers); members always get theirs',
    defaultText: String(CONFIG_DEFAULTS.maxConnections),
    read: (value, source) => {
      const limit = integer(100_000)(value, source)
      return limit < 1 ? invalid(source, 'an integer from 1 to 100000', value) : limit
    },
  },
  allowPeers: {
    flags: '--allow-peers <ids>',
    description: 'comma-separated peer ids allowed to connect (default: all that pass realm admission)',
    read: list(peerId, 10_000),
  },
  allowFaultInjection: {
    flags: '--allow-fault-injection',
    description: 'accept POST /v1/faults (drop or shape traffic); for tests only',
    read: flag(),
  },
  logLevel: {
    flags: '--log-level <level>',
    description: `log level: ${LOG_LEVELS.join(', ')}`,
    defaultText: CONFIG_DEFAULTS.logLevel,
    read: (value, source) => {
      if (typeof value !== 'string' || !isLogLevel(value)) {
        return invalid(source, `one of ${LOG_LEVELS.join(', ')}`, value)
      }
      return value
    },
  },
}

export const CONFIG_KEYS = Object.keys(CONFIG_OPTIONS) as ConfigKey[]
