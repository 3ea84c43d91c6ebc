/**
 * The `meshwork` program without its verbs: the commander setup every entry shares and the one place
 * that turns errors into one clear line (no stack trace for bad input or an unreachable node). Exit
 * status 2 means the command line or config was wrong; 1 means the command could not be done (no node to
 * talk to, a port already taken, the API refused). An error nobody expected is one line too, with a way
 * to see its stack trace (`MESHWORK_DEBUG=1`).
 *
 * Two entries use it: `main.ts` (the `meshwork` command, every verb on demand) and `node-process.ts`
 * (the node processes of a local cluster, `node start` only, bundled into one file).
 */
import { Command, CommanderError } from 'commander'
import { isApiError } from '../api/index.ts'
import { isMeshError } from '../kernel/index.ts'
import { VERSION } from '../version.ts'

/** Adds one verb (and its subcommands) to the program. */
export type RegisterVerb = (program: Command) => void | Promise<void>

/** The program with the given verbs registered, in that order. */
export async function buildProgramWith(verbs: readonly RegisterVerb[]): Promise<Command> {
  const program = new Command('meshwork')
    .description('Meshwork: a mesh-native distributed compute runtime')
    .version(VERSION, '-v, --version')
    // Usage mistakes look like every other refusal: `meshwork: <what is wrong>` (subcommands inherit it).
    .configureOutput({ outputError: (text, write) => write(`meshwork: ${text.replace(/^error: /, '')}`) })
    .showHelpAfterError('(run with --help for usage)')
    // Errors come back to `runProgram` as exceptions rather than a process.exit inside commander; set
    // before the subcommands are made, so that they inherit it.
    .exitOverride()
  for (const register of verbs) await register(program)
  return program
}

/** Parses `argv` with `program` and runs the command; resolves to the exit status. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
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
