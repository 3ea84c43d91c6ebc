/**
 * `meshwork start` (what `npm start` runs): for now, a small local simulation of a 50-node cluster with a
 * crash, loss and a partition, printed as a readable summary. The next capability makes it start a real
 * local cluster.
 */
import type { Command } from 'commander'
import { runMembershipSimulation } from '../../engines/sim/membership/run.ts'
import { SCENARIO_DEFAULTS } from '../../engines/sim/membership/scenario.ts'
import { formatSummary } from './sim-membership.ts'

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run a small simulated cluster (50 nodes, 2 crashes, 1 % loss, a partition) and summarise it',
    )
    .action(() => {
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
    })
}
