#!/usr/bin/env node
// Entry point of the `meshwork` command.
//
// In a checkout, `src/` is here and Node 24 runs the TypeScript sources directly (type stripping), so
// development needs no build. The sources win even when a `dist/` exists, because a `dist/` left by
// `npm run build` or `npm pack` may be older than the sources being edited.
//
// The published package has no `src/` (package.json `files`), and Node refuses to strip types of files
// under node_modules anyway, so an installed `meshwork` runs the compiled JavaScript in `dist/`, built by
// `npm run build` (run by `prepack`, so `npm pack` and `npm publish` always build it).
//
// Node's compile cache (in NODE_COMPILE_CACHE, or Node's default directory under the temporary one) keeps
// the compiled code, and for `.ts` sources the type-stripped text, of every module loaded below: a second
// start skips most of the ~0.5 CPU-seconds that stripping and compiling ~1,000 modules cost.
import { existsSync } from 'node:fs'
import { enableCompileCache } from 'node:module'

enableCompileCache()

// Node 24 runs the TypeScript sources and has the APIs Meshwork uses; an older one would fail with a
// stack trace about a ".ts" extension. Say what is needed instead.
const NODE_MAJOR = 24
if (Number(process.versions.node.split('.')[0]) < NODE_MAJOR) {
  process.stderr.write(
    `meshwork: needs Node.js ${NODE_MAJOR} or newer, and this is Node.js ${process.versions.node}; in a checkout, \`npm ci\` installs Node ${NODE_MAJOR} and \`npx meshwork\` runs on it\n`,
  )
  process.exit(1)
}

const sources = new URL('../src/cli/main.ts', import.meta.url)
const entry = existsSync(sources) ? sources : new URL('../dist/cli/main.js', import.meta.url)
const { main } = await import(entry.href)

process.exitCode = await main(process.argv)
