/**
 * Builds dist/node-process.mjs, the bundled node process the published package ships
 * (src/cluster/node-bundle.ts says why); `npm run build` runs it after tsc.
 */
import { join } from 'node:path'
import { buildNodeBundle, PACKAGE_ROOT } from '../src/cluster/node-bundle.ts'

const outfile = join(PACKAGE_ROOT, 'dist', 'node-process.mjs')
await buildNodeBundle({ root: PACKAGE_ROOT, outfile, manifest: false })
// on stderr: `npm pack --json` prints its JSON on stdout, after what prepack printed
process.stderr.write(`built ${outfile}\n`)
