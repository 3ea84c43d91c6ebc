/**
 * `meshwork cluster …`: a local cluster of node processes on loopback, to try Meshwork and to break it on
 * purpose. The cluster is recorded in `<dir>/cluster.json`, so every verb works from any shell.
 *
 * `up --json` and `status --json` print `{"nodes": [{"name", "peerId", "pid", "api", "state"}]}`; scripts
 * rely on that shape.
 */
import type { Command } from 'commander'
import {
  DEFAULT_BASE_PORT,
  DEFAULT_CLUSTER_DIR,
  down,
  heal,
  kill,
  type NodeReport,
  partition,
  restart,
  status,
  up,
} from '../../cluster/index.ts'
import { CONNECTION_CLASSES, type ConnectionClass } from '../../kernel/index.ts'
import { choiceOption, integerOption } from '../options.ts'

const CONVERGE_LIMIT_MS = 60_000

interface DirFlags {
  dir: string
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster of node processes on loopback')
  const dirOption = [
    '--dir <dir>',
    'where the cluster keeps its state and node data',
    DEFAULT_CLUSTER_DIR,
  ] as const

  cluster
    .command('up')
    .description('start N node processes, wait until every node sees every other, print the cluster')
    .requiredOption('--nodes <n>', 'number of nodes (1 to 64)', integerOption('--nodes', 1, 64))
    .option(
      '--connection-class <class>',
      `membership timings: ${CONNECTION_CLASSES.join(', ')}`,
      choiceOption('--connection-class', CONNECTION_CLASSES),
      'lan',
    )
    .option(
      '--link-profile <class>',
      `shape every link like a ${CONNECTION_CLASSES.join(', ')} link (delay, jitter, loss, bandwidth)`,
      choiceOption('--link-profile', CONNECTION_CLASSES),
    )
    .option(
      '--base-port <port>',
      'API ports start here; TCP at +1000',
      integerOption('--base-port', 1024, 60_000),
      DEFAULT_BASE_PORT,
    )
    .option(...dirOption)
    .option('--json', 'print the cluster as JSON once it has converged', false)
    .action(
      async (
        flags: DirFlags & {
          nodes: number
          connectionClass: ConnectionClass
          linkProfile?: ConnectionClass
          basePort: number
          json: boolean
        },
      ) => {
        const started = performance.now()
        await up({
          nodes: flags.nodes,
          dir: flags.dir,
          connectionClass: flags.connectionClass,
          basePort: flags.basePort,
          convergeLimitMs: CONVERGE_LIMIT_MS,
          ...(flags.linkProfile === undefined ? {} : { linkProfile: flags.linkProfile }),
          ...(flags.json ? {} : { onProgress: (line: string) => process.stderr.write(`… ${line}\n`) }),
        })
        const nodes = await status(flags.dir)
        if (flags.json) process.stdout.write(`${JSON.stringify({ nodes: nodes.map(contract) })}\n`)
        else
          process.stdout.write(
            `${formatTable(nodes)}\n${upLine(nodes.length, performance.now() - started)}\n`,
          )
      },
    )

  cluster
    .command('status')
    .description('show every node of the cluster and what it sees')
    .option(...dirOption)
    .option('--json', 'print JSON', false)
    .action(async (flags: DirFlags & { json: boolean }) => {
      const nodes = await status(flags.dir)
      process.stdout.write(
        flags.json ? `${JSON.stringify({ nodes: nodes.map(contract) })}\n` : `${formatTable(nodes)}\n`,
      )
    })

  cluster
    .command('kill <target>')
    .description('kill a node at once (no leave announced): a name such as n3, or a share such as 40%')
    .option(...dirOption)
    .action(async (target: string, flags: DirFlags) => {
      const killed = await kill(flags.dir, target)
      process.stdout.write(`killed ${killed.length === 0 ? 'nothing' : killed.join(', ')}\n`)
    })

  cluster
    .command('restart <node>')
    .description('start a killed node again, with its identity and addresses')
    .option(...dirOption)
    .action(async (name: string, flags: DirFlags) => {
      const node = await restart(flags.dir, name, CONVERGE_LIMIT_MS)
      const running = (await status(flags.dir)).filter((each) => each.pid !== null).length
      process.stdout.write(
        running > 1
          ? `restarted ${node.name} (pid ${node.pid}); the ${running} running nodes see each other again\n`
          : `restarted ${node.name} (pid ${node.pid}); it is the only node running\n`,
      )
    })

  cluster
    .command('partition <nodes>')
    .description('cut the listed nodes (comma-separated) off from the rest, both ways')
    .option(...dirOption)
    .action(async (names: string, flags: DirFlags) => {
      const side = names.split(',').filter((name) => name !== '')
      await partition(flags.dir, side)
      process.stdout.write(`partitioned ${side.join(', ')} from the rest\n`)
    })

  cluster
    .command('heal')
    .description('lift every partition')
    .option(...dirOption)
    .action(async (flags: DirFlags) => {
      await heal(flags.dir)
      process.stdout.write('healed\n')
    })

  cluster
    .command('down')
    .description('stop every node (each announces its leave) and leave no process behind')
    .option(...dirOption)
    .action(async (flags: DirFlags) => {
      const { stopped, forced } = await down(flags.dir)
      process.stdout.write(`stopped ${stopped} nodes${forced > 0 ? ` (${forced} needed SIGKILL)` : ''}\n`)
    })
}

/** What `up` says at the end; a lone node has no one to converge with, so it does not say "converged". */
export function upLine(nodes: number, elapsedMs: number): string {
  const ms = Math.round(elapsedMs)
  return nodes === 1
    ? `1 node running (alone, so there is nothing to converge); up in ${ms} ms`
    : `converged in ${ms} ms: each of the ${nodes} nodes sees every other alive`
}

function contract(node: NodeReport): {
  name: string
  peerId: string
  pid: number | null
  api: string
  state: string
} {
  return { name: node.name, peerId: node.peerId, pid: node.pid, api: node.api, state: node.state }
}

export function formatTable(nodes: readonly NodeReport[]): string {
  const rows = [
    ['node', 'peer id', 'pid', 'api', 'state', 'alive', 'suspect', 'failed'],
    ...nodes.map((node) => [
      node.name,
      node.peerId.length > 16 ? `…${node.peerId.slice(-12)}` : node.peerId,
      node.pid === null ? '—' : String(node.pid),
      node.api,
      node.state,
      node.alive === undefined ? '—' : String(node.alive),
      node.suspect === undefined ? '—' : String(node.suspect),
      node.failed === undefined ? '—' : String(node.failed),
    ]),
  ]
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
