/**
 * `meshwork node start`: run one node on the real network until SIGINT or SIGTERM. Options come from
 * flags and/or a JSON config file (`daemon/config.ts`); when the node is ready, one line on stdout gives
 * its peer id, its listen addresses and its API URL, so scripts can wait for it and read it. Logs go to
 * stderr as JSON.
 *
 * The daemon (Fastify, pino, prom-client) and the libp2p engine are imported only when the command runs,
 * so other verbs start without them and tests never load libp2p.
 */
import type { Command } from 'commander'
import { CONFIG_KEYS, CONFIG_OPTIONS } from '../../daemon/config/index.ts'
import type { Daemon, StartNode } from '../../daemon/index.ts'
import { MeshError } from '../../kernel/index.ts'

export function registerNodeStart(program: Command): void {
  const node = program.command('node').description('run a Meshwork node on the real network')
  const start = node
    .command('start')
    .description('start a node: join the realm, serve the control API, leave gracefully on Ctrl-C')
  for (const key of CONFIG_KEYS) {
    const { flags, description, defaultText } = CONFIG_OPTIONS[key]
    start.option(flags, defaultText === undefined ? description : `${description} (default: ${defaultText})`)
  }
  start
    .option(
      '--config <file>',
      'JSON file of these options in camelCase, e.g. {"capacity": 4}; flags override it',
    )
    .addHelpText('after', API_SECURITY_HELP)
    .action(async (_options: unknown, command: Command) => {
      // Only what was typed: commander's own defaults (mdns: true) must not override the config file.
      const typed = Object.fromEntries(
        Object.entries(command.opts()).filter(([name]) => command.getOptionValueSource(name) === 'cli'),
      )
      const { resolveConfig, runDaemon } = await import('../../daemon/index.ts')
      const config = resolveConfig(typed)
      const daemon = await runDaemon(config, await loadLibp2pEngine())
      process.stdout.write(readyLine(daemon))
    })
}

const API_SECURITY_HELP = `
The control API:
  On loopback (the default, 127.0.0.1:7070) it needs no token, and answers only requests addressed to
  localhost, 127.0.0.1 or [::1] that no web page of another origin sent (DNS rebinding, cross-site
  requests). Off loopback (e.g. --api 0.0.0.0:7070) every request needs the bearer token kept in
  <data-dir>/api-token, and the API needs TLS: --api-cert FILE --api-key FILE (PEM), or --api-insecure
  to serve plain HTTP on a network you trust. Clients pass the token with --token and, for a
  self-signed certificate, the certificate with --ca.
`

/** The one line printed when the node is ready. */
export function readyLine(daemon: Pick<Daemon, 'node' | 'apiUrl' | 'tokenFile'>): string {
  const addresses = daemon.node.status().addresses
  const listening = addresses.length === 0 ? 'no addresses yet' : addresses.join(' ')
  const token = daemon.tokenFile === undefined ? '' : ` (bearer token in ${daemon.tokenFile})`
  return `meshwork node ${daemon.node.peerId} listening on ${listening}; API ${daemon.apiUrl}${token}\n`
}

async function loadLibp2pEngine(): Promise<StartNode> {
  try {
    const engine = await import('../../engines/libp2p/index.ts')
    return engine.startNode
  } catch (error) {
    throw new MeshError('UNAVAILABLE', `cannot load the libp2p engine: ${(error as Error).message}`)
  }
}
