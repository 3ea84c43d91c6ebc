#!/usr/bin/env node
/**
 * The `meshwork` command. One file per verb under `commands/`; this file only assembles them and turns
 * errors into one clear line (no stack trace for bad input).
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { isMeshError } from '../kernel/index.ts'
import { registerSimMembership } from './commands/sim-membership.ts'
import { registerStart } from './commands/start.ts'

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

export function buildProgram(): Command {
  const program = new Command('meshwork')
    .description('Meshwork: a mesh-native distributed compute runtime')
    .version(packageJson.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
  registerStart(program)
  const sim = program.command('sim').description('run deterministic simulations of Meshwork protocols')
  registerSimMembership(sim)
  return program
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride()
  try {
    await program.parseAsync(argv as string[])
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (isMeshError(error)) {
      process.stderr.write(`meshwork: ${error.message}\n`)
      return 2
    }
    throw error
  }
}

if (import.meta.main) process.exitCode = await main(process.argv)
