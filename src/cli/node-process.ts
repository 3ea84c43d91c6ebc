/**
 * The entry of a local cluster's node processes (`src/cluster/processes.ts`): `meshwork node start` and
 * nothing else. It imports the verb statically, so that esbuild can bundle the whole process into one
 * file (`src/cluster/node-bundle.ts`): ten processes that start at once then each load one pre-compiled
 * file instead of resolving and compiling ~1,000 modules (docs/adr/0010-bundled-node-processes-and-quic-first.md).
 */
import { registerNodeStart } from './commands/node-start.ts'
import { buildProgramWith, runProgram } from './program.ts'

process.exitCode = await runProgram(await buildProgramWith([registerNodeStart]), process.argv)
