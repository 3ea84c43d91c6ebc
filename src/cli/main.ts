#!/usr/bin/env node
/**
 * The `meshwork` command. One file per verb under `commands/`; this file only lists them, and
 * `program.ts` assembles the program and turns errors into one clear line.
 */
import type { Command } from 'commander'
import { buildProgramWith, runProgram } from './program.ts'

/**
 * Each verb's module, imported only when that verb runs: a command then loads neither the simulator nor
 * NEAT nor the cluster tool unless it is that command. In the order `--help` lists them.
 */
const VERBS: Readonly<Record<string, (program: Command) => Promise<void>>> = {
  start: async (program) => (await import('./commands/start.ts')).registerStart(program),
  sim: async (program) => {
    const sim = program.command('sim').description('run deterministic simulations of Meshwork protocols')
    ;(await import('./commands/sim-membership.ts')).registerSimMembership(sim)
    ;(await import('./commands/sim-state.ts')).registerSimState(sim)
  },
  node: async (program) => (await import('./commands/node-start.ts')).registerNodeStart(program),
  status: async (program) => (await import('./commands/status.ts')).registerStatus(program),
  members: async (program) => (await import('./commands/members.ts')).registerMembers(program),
  cluster: async (program) => (await import('./commands/cluster.ts')).registerCluster(program),
  evolve: async (program) => (await import('./commands/evolve.ts')).registerEvolve(program),
  evaluate: async (program) => (await import('./commands/evaluate.ts')).registerEvaluate(program),
}

/** The program with the verb `argv` names, or with every verb (for help, a typo, or no verb at all). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const verb = argv[2]
  const only = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined
  return buildProgramWith(only === undefined ? Object.values(VERBS) : [only])
}

export async function main(argv: readonly string[]): Promise<number> {
  return runProgram(await buildProgram(argv), argv)
}

if (import.meta.main) process.exitCode = await main(process.argv)
