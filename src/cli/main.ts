#!/usr/bin/env node
/**
 * The `meshwork` command. One file per verb under `commands/`; this file only assembles them and turns
 * errors into one clear line (no stack trace for bad input or an unreachable node). Exit status 2 means
 * the command line or config was wrong; 1 means the command could not be done (no node to talk to, a port
 * already taken, the API refused). An error nobody expected is one line too, with a way to see its stack
 * trace (`MESHWORK_DEBUG=1`).
 */
import { Command, CommanderError } from 'commander'
import { isApiError } from '../api/index.ts'
import { isMeshError } from '../kernel/index.ts'
import { VERSION } from '../version.ts'

/**
 * Each verb's module, imported only when that verb runs: a `meshwork node start` process (ten of them
 * start at once in a local cluster) then loads neither the simulator nor NEAT nor the cluster tool.
 * In the order `--help` lists them.
 */
const VERBS: Readonly<Record<string, (program: Command) => Promise<void>>> = {
  start: async (program) => (await import('./commands/start.ts')).registerStart(program),
  sim: async (program) => {
    const sim = program.command('sim').description('run deterministic simulations of Meshwork protocols')
    ;(await import('./commands/sim-membership.ts')).registerSimMembership(sim)
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
  const program = new Command('meshwork')
    .description('Meshwork: a mesh-native distributed compute runtime')
    .version(VERSION, '-v, --version')
    // Usage mistakes look like every other refusal: `meshwork: <what is wrong>` (subcommands inherit it).
    .configureOutput({ outputError: (text, write) => write(`meshwork: ${text.replace(/^error: /, '')}`) })
    .showHelpAfterError('(run with --help for usage)')
    // Errors come back to `main` as exceptions rather than a process.exit inside commander; set before
    // the subcommands are made, so that they inherit it.
    .exitOverride()
  const verb = argv[2]
  const only = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined
  for (const register of only === undefined ? Object.values(VERBS) : [only]) await register(program)
  return program
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv)
  try {
    await program.parseAsync(argv as string[])
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    // commander has printed its message; --help and --version end here with status 0
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    if (isMeshError(error)) {
      process.stderr.write(`meshwork: ${error.message}\n`)
      return error.code === 'INVALID_ARGUMENT' || error.code === 'INVALID_CONFIG' ? 2 : 1
    }
    if (isApiError(error)) {
      process.stderr.write(`meshwork: ${error.message}\n`)
      return 1
    }
    if (process.env.MESHWORK_DEBUG === '1') throw error
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(
      `meshwork: unexpected error: ${message.split('\n', 1)[0]} (MESHWORK_DEBUG=1 shows where; please report it)\n`,
    )
    return 1
  }
}

if (import.meta.main) process.exitCode = await main(process.argv)
