/**
 * `meshwork start` (what `npm start` runs): a local five-node cluster of real node processes on loopback,
 * its membership table, and a live log of membership events from every node, until Ctrl-C stops
 * everything (each node announces its leave; nothing is left running).
 *
 * `--sim` runs the earlier offline demonstration instead: a simulated 50-node cluster with crashes, loss
 * and a partition, printed as a summary.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { type NodeEvent, streamEvents } from '../../api/index.ts'
import { DEFAULT_BASE_PORT, down, status, up } from '../../cluster/index.ts'
import { runMembershipSimulation } from '../../engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../../engines/sim/membership/scenario.ts'
import { integerOption } from '../options.ts'
import { formatTable } from './cluster.ts'
import { formatSummary } from './sim-membership.ts'

interface StartFlags {
  nodes: number
  basePort: number
  sim: boolean
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'start a local cluster of real nodes, show its members and a live event log; Ctrl-C stops it',
    )
    .option('--nodes <n>', 'number of nodes', integerOption('--nodes', 2, 32), 5)
    .option(
      '--base-port <port>',
      'API ports start here; TCP at +1000, QUIC at +2000',
      integerOption('--base-port', 1024, 60_000),
      DEFAULT_BASE_PORT,
    )
    .option('--sim', 'run a simulated 50-node cluster with crashes, loss and a partition instead', false)
    .action(async (flags: StartFlags) => {
      if (flags.sim) {
        simulate()
        return
      }
      await runCluster(flags)
    })
}

function simulate(): void {
  process.stdout.write(
    'Meshwork: simulating a 50-node LAN cluster (join, 2 crashes, 1 % loss, partition and heal)…\n\n',
  )
  const report = runMembershipSimulation({
    ...SCENARIO_DEFAULTS,
    nodes: 50,
    seed: 1,
    lossRate: 0.01,
    crashes: 2,
    partition: true,
    wire: true,
  })
  process.stdout.write(formatSummary(report))
  if (!report.ok) process.exitCode = 1
}

async function runCluster(flags: StartFlags): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshwork-start-'))
  process.stdout.write(`Meshwork: starting ${flags.nodes} nodes on loopback (state in ${dir})…\n`)
  const stop = new AbortController()
  let stopping = false
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    stop.abort()
    process.stdout.write('\nstopping: every node announces its leave…\n')
    const { stopped, forced } = await down(dir)
    rmSync(dir, { recursive: true, force: true })
    process.stdout.write(
      `stopped ${stopped} nodes${forced > 0 ? ` (${forced} needed SIGKILL)` : ''}; nothing is left running\n`,
    )
  }
  const onSignal = (): void => {
    void shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`meshwork: ${(error as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  const started = performance.now()
  const state = await up({
    nodes: flags.nodes,
    dir,
    connectionClass: 'lan',
    basePort: flags.basePort,
    convergeLimitMs: 60_000,
  })
  process.stdout.write(
    `\n${formatTable(await status(dir))}\n\nconverged in ${Math.round(performance.now() - started)} ms. `,
  )
  process.stdout.write(
    `Break it from another terminal:\n  npx meshwork cluster kill n3 --dir ${dir}\n  npx meshwork cluster partition n0,n1 --dir ${dir}\n  npx meshwork cluster heal --dir ${dir}\n\nlive events (Ctrl-C stops the cluster):\n`,
  )
  const names = new Map(state.nodes.map((node) => [node.peerId, node.name]))
  const nameOf = (id: string): string => names.get(id) ?? `…${id.slice(-6)}`
  await Promise.all(
    state.nodes.map(async (node) => {
      try {
        for await (const event of streamEvents(node.api, undefined, { signal: stop.signal })) {
          process.stdout.write(
            `${new Date().toISOString().slice(11, 23)}  ${node.name.padEnd(4)} ${describe(event, nameOf)}\n`,
          )
        }
      } catch {
        // the node went away (killed from another terminal): its stream ends here
      }
    }),
  )
}

function describe(event: NodeEvent, nameOf: (id: string) => string): string {
  switch (event.type) {
    case 'MemberJoined':
      return `${nameOf(event.member.id)} joined`
    case 'MemberSuspected':
      return `suspects ${nameOf(event.id)} (accused by ${nameOf(event.from)})`
    case 'MemberUpdated':
      return `${nameOf(event.member.id)} changed its record (incarnation ${event.member.incarnation})`
    case 'MemberAlive':
      return `${nameOf(event.id)} is alive again (incarnation ${event.incarnation})`
    case 'MemberFailed':
      return `${nameOf(event.id)} FAILED`
    case 'MemberLeft':
      return `${nameOf(event.id)} left`
    case 'PartitionDetected':
      return `PARTITION: reaches ${event.reachable} of ${event.known}`
    case 'PartitionHealed':
      return `partition healed: reaches ${event.reachable} of ${event.known}`
  }
}
