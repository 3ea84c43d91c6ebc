/**
 * `meshwork start` (what `npm start` runs): a local five-node cluster of real node processes on loopback,
 * its membership table, and a live log of membership events from every node, until Ctrl-C stops
 * everything (each node announces its leave; nothing is left running). It suggests commands that break
 * the cluster from another terminal; a node restarted that way is followed again, and when every node has
 * been killed it cleans up and exits with status 1.
 *
 * `--sim` runs the earlier offline demonstration instead: a simulated 50-node cluster with crashes, loss
 * and a partition, printed as a summary.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describeEvent, shortPeerId } from '../../api/index.ts'
import { DEFAULT_BASE_PORT, down, followClusterEvents, status, up } from '../../cluster/index.ts'
import { runMembershipSimulation, SCENARIO_DEFAULTS } from '../../engines/sim/index.ts'
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
      'API ports start here; TCP at +1000',
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
  const shutdown = async (): Promise<string> => {
    if (stopping) return ''
    stopping = true
    stop.abort()
    const { stopped, forced } = await down(dir).catch(() => ({ stopped: 0, forced: 0 }))
    rmSync(dir, { recursive: true, force: true })
    return `stopped ${stopped} nodes${forced > 0 ? ` (${forced} needed SIGKILL)` : ''}`
  }
  const onSignal = (): void => {
    process.stdout.write('\nstopping: every node announces its leave…\n')
    void shutdown().then(
      (line) => {
        process.stdout.write(`${line}; nothing is left running\n`)
        process.exit(0)
      },
      (error: unknown) => {
        process.stderr.write(`meshwork: ${(error as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  const started = performance.now()
  let state: Awaited<ReturnType<typeof up>>
  try {
    state = await up({
      nodes: flags.nodes,
      dir,
      connectionClass: 'lan',
      basePort: flags.basePort,
      convergeLimitMs: 60_000,
    })
  } catch (error) {
    // up has stopped every node it started; the directory goes too
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const names = state.nodes.map((node) => node.name)
  process.stdout.write(
    `\n${formatTable(await status(dir))}\n\nconverged in ${Math.round(performance.now() - started)} ms. ` +
      `Break it from another terminal:\n${suggestedCommands(names, dir)}\nlive events (Ctrl-C stops the cluster):\n`,
  )
  const byId = new Map(state.nodes.map((node) => [node.peerId, node.name]))
  const nameOf = (id: string): string => byId.get(id) ?? shortPeerId(id)
  const width = Math.max(...names.map((name) => name.length))
  const stamp = (): string => new Date().toISOString().slice(11, 23)
  const end = await followClusterEvents(dir, {
    signal: stop.signal,
    onEvent: (node, event) =>
      process.stdout.write(`${stamp()}  ${node.name.padEnd(width)}  ${describeEvent(event, nameOf)}\n`),
    onNotice: (line) => process.stdout.write(`${stamp()}  ${line}\n`),
  })
  if (end === 'every-node-down') {
    await shutdown()
    process.stdout.write(
      `${stamp()}  every node has stopped (killed from another terminal?); cleaned up ${dir}; nothing is left running\n`,
    )
    process.exitCode = 1
  }
}

/** Commands that break the cluster just started, with its own node names. */
export function suggestedCommands(names: readonly string[], dir: string): string {
  const last = names.at(-1) ?? 'n0'
  const side = names.slice(0, Math.max(1, Math.floor(names.length / 2))).join(',')
  return [`cluster kill ${last}`, `cluster restart ${last}`, `cluster partition ${side}`, 'cluster heal']
    .map((command) => `  npx meshwork ${command} --dir ${dir}\n`)
    .join('')
}
