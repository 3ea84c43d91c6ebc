/**
 * The node process as one file: esbuild bundles `src/cli/node-process.ts` with everything it imports
 * (our sources, libp2p, Fastify, pino) into a single ES module. A local cluster starts ten node processes
 * at once on a machine of two cores; from the sources each one resolves, type-strips and compiles ~1,000
 * modules, about half of the CPU it spends starting. One pre-compiled file (which Node's compile cache
 * then keeps as V8 code) removes that work. Decision and alternatives: docs/adr/0010-bundled-node-processes-and-quic-first.md.
 *
 * In a checkout the bundle is built on demand into node_modules/.cache/meshwork/ and rebuilt when any
 * file it was built from has changed (its manifest lists each input's size and mtime); the published
 * package ships it prebuilt as dist/node-process.mjs (`npm run build`), and needs no esbuild.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Kept out of the bundle: required at run time, and only when needed (daemon/logger.ts, when stderr is a
 * terminal). Not prom-client: an external package imported by a module that is itself imported lazily
 * (daemon/metrics.ts, on the first scrape) becomes an import at the top of an ES-module bundle, so every
 * node would load prom-client and OpenTelemetry's API at start (55 ms of CPU, measured). Bundled, it is
 * evaluated only when metrics.ts is.
 */
const EXTERNAL: readonly string[] = ['pino-pretty']

/**
 * ES modules bundled from CommonJS packages (Fastify, pino) call `require` for Node's built-ins; an ES
 * module has none, so the bundle makes one. `__filename` and `__dirname` likewise, for the few packages
 * that read them.
 */
const BANNER = [
  // code-unit order for libp2p's peer store (see `codeUnitCompare` below)
  'const __meshworkCompare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);',
  "import { createRequire as __meshworkCreateRequire } from 'node:module';",
  "import { fileURLToPath as __meshworkFileURLToPath } from 'node:url';",
  'const require = __meshworkCreateRequire(import.meta.url);',
  'const __filename = __meshworkFileURLToPath(import.meta.url);',
  "const __dirname = __meshworkFileURLToPath(new URL('.', import.meta.url));",
].join('\n')

/**
 * libp2p's peer store and peer records sort protocol ids, tags and multiaddrs with `localeCompare`, which
 * makes V8 load ICU's collation data: 2.4 MB resident and ~30 ms of CPU in every node process (measured:
 * 83.2 → 80.8 MB with code-unit order). The strings are ASCII protocol ids and addresses, sorted only to
 * store them in one canonical order, which code-unit order gives as well. A guarded rewrite: a file is
 * changed only where every `localeCompare` call has the simple shape matched here; otherwise it is left as
 * it is.
 */
const LOCALE_COMPARE_FILES = /[\\/]node_modules[\\/]@libp2p[\\/](peer-store|peer-record)[\\/].*\.js$/
const LOCALE_COMPARE_CALL = /([\w.]+(?:\(\))?)\.localeCompare\(/g

function codeUnitCompare(source: string): string | undefined {
  const calls = source.split('.localeCompare(').length - 1
  if (calls === 0) return undefined
  const rewritten = source.replace(LOCALE_COMPARE_CALL, '__meshworkCompare($1, ')
  return rewritten.split('.localeCompare(').length === 1 ? rewritten : undefined
}

export interface BundleOptions {
  /** The package root: where package.json and src/ are. */
  readonly root: string
  readonly outfile: string
  /** Write `<outfile>.json`, the inputs' stamps that `isBundleFresh` reads (a checkout's on-demand build). */
  readonly manifest: boolean
}

/** Builds the bundle with esbuild (a dev dependency: only a checkout or `npm run build` has it). */
export async function buildNodeBundle(options: BundleOptions): Promise<void> {
  const esbuild = await import('esbuild')
  const { version } = JSON.parse(readFileSync(join(options.root, 'package.json'), 'utf8')) as {
    version: string
  }
  const versionFile = join(options.root, 'src', 'version.ts')
  const temporary = `${options.outfile}.${process.pid}.tmp`
  mkdirSync(dirname(options.outfile), { recursive: true })
  const result = await esbuild.build({
    entryPoints: [join(options.root, 'src', 'cli', 'node-process.ts')],
    outfile: temporary,
    absWorkingDir: options.root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: [...EXTERNAL],
    banner: { js: BANNER },
    // Without comments and spaces the bundle is 40 % smaller, and ASCII: one non-ASCII character in a
    // comment (an em dash) makes V8 hold the whole source as two-byte text, 10 MB instead of 5 per node.
    // Names are kept, so that stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'ascii',
    // An uncaught error prints its source line: one of a few hundred characters, not a megabyte.
    lineLimit: 160,
    metafile: true,
    logLevel: 'error',
    plugins: [
      {
        name: 'meshwork-code-unit-compare',
        setup(build) {
          build.onLoad({ filter: LOCALE_COMPARE_FILES }, (args) => {
            const contents = codeUnitCompare(readFileSync(args.path, 'utf8'))
            return contents === undefined ? undefined : { contents, loader: 'js' }
          })
        },
      },
      {
        // version.ts reads ../package.json next to itself, which is not next to the bundle: the bundle
        // carries the version it was built with instead.
        name: 'meshwork-version',
        setup(build) {
          build.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, (args) =>
            args.path === versionFile
              ? { contents: `export const VERSION = ${JSON.stringify(version)}\n`, loader: 'ts' }
              : undefined,
          )
        },
      },
    ],
  })
  if (options.manifest) {
    // package-lock.json: an `npm install` that changes a dependency's files changes the lock too; this
    // file: how the bundle is built is an input as well
    const builder = relative(options.root, fileURLToPath(import.meta.url))
    const inputs = [...Object.keys(result.metafile.inputs), 'package.json', 'package-lock.json', builder]
    const stamps = Object.fromEntries(inputs.map((input) => [input, stamp(options.root, input)]))
    writeFileSync(`${options.outfile}.json`, `${JSON.stringify({ inputs: stamps } satisfies Manifest)}\n`)
  }
  // renamed into place: a node process started meanwhile reads the old file or the new one, never half
  renameSync(temporary, options.outfile)
}

interface Manifest {
  /** Each input, relative to the root, and its `size:mtimeMs` when the bundle was built. */
  readonly inputs: Readonly<Record<string, string>>
}

function stamp(root: string, input: string): string {
  try {
    const stat = statSync(join(root, input))
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    return 'missing'
  }
}

/** Whether `outfile` exists and was built from the files as they are now. */
export function isBundleFresh(root: string, outfile: string): boolean {
  let manifest: Manifest
  try {
    statSync(outfile)
    manifest = JSON.parse(readFileSync(`${outfile}.json`, 'utf8')) as Manifest
  } catch {
    return false
  }
  return Object.entries(manifest.inputs).every(([input, was]) => stamp(root, input) === was)
}

/** The package root of this checkout or installed package: two levels above this file. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Where a checkout keeps its bundle (npm and most tools treat node_modules/.cache as disposable). */
export const CHECKOUT_BUNDLE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'meshwork', 'node-process.mjs')

/** Where the published package ships it. */
export const PACKAGED_BUNDLE = join(PACKAGE_ROOT, 'dist', 'node-process.mjs')
