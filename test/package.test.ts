/**
 * The published package as a user gets it: `npm pack` (whose `prepack` builds `dist/`), the tarball
 * installed into an empty directory with its dependencies from the registry (or npm's cache), then the
 * installed `meshwork` command, the library entry and its type declarations. Packing and installing
 * happen once, in `before`; npm may take a while when its cache is cold, so every step is bounded.
 *
 * The commands run with `process.execPath`: the installed bin's `#!/usr/bin/env node` line would pick
 * whatever `node` comes first on PATH, and the package needs Node 24.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
const NPM_LIMIT_MS = 5 * 60_000
const RUN_LIMIT_MS = 60_000
/**
 * `npm run` hands its scripts `npm_*` variables (the config, the package, `npm_config_local_prefix`);
 * without them the nested npm commands behave as they would in a user's shell. PATH stays, so scripts
 * that npm runs (`prepack`) find Node 24 in node_modules/.bin.
 */
const NPM_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')))

const execFileAsync = promisify(execFile)

async function run(file: string, args: readonly string[], cwd: string, timeout: number): Promise<string> {
  const { stdout } = await execFileAsync(file, args, {
    cwd,
    env: NPM_ENV,
    encoding: 'utf8',
    timeout,
    maxBuffer: 16 * 1024 * 1024,
  })
  return stdout
}

/**
 * npm at the lowest CPU priority: its build (tsc uses every core) and install would otherwise starve the
 * test files that run beside this one, and the real-network membership tests read starvation as failure.
 */
function npm(args: readonly string[], cwd: string): Promise<string> {
  return run('nice', ['-n', '19', 'npm', ...args], cwd, NPM_LIMIT_MS)
}

interface PackResult {
  readonly filename: string
  readonly size: number
  readonly entryCount: number
  readonly files: ReadonlyArray<{ readonly path: string }>
}

let packDir = ''
let appDir = ''
let packed: PackResult | undefined
let installed = ''

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('the npm package', () => {
  before(
    async () => {
      packDir = mkdtempSync(join(tmpdir(), 'meshwork-pack-'))
      appDir = mkdtempSync(join(tmpdir(), 'meshwork-install-'))
      const packOutput = await npm(['pack', '--json', '--pack-destination', packDir], ROOT)
      const results = JSON.parse(packOutput) as PackResult[]
      assert.equal(results.length, 1)
      packed = results[0]
      const tarball = join(packDir, packed!.filename)
      writeFileSync(
        join(appDir, 'package.json'),
        `${JSON.stringify({ name: 'meshwork-package-test', private: true, type: 'module' })}\n`,
      )
      await npm(
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts=false', tarball],
        appDir,
      )
      installed = join(appDir, 'node_modules', 'meshwork')
    },
    { timeout: 2 * NPM_LIMIT_MS + 60_000 },
  )

  after(() => {
    for (const dir of [packDir, appDir]) if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  it('holds the compiled JavaScript, its type declarations and the bin, and no sources or tests', () => {
    const paths = packed!.files.map((file) => file.path)
    for (const path of ['bin/meshwork.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts']) {
      assert.ok(paths.includes(path), `missing ${path}`)
    }
    assert.ok(paths.filter((path) => path.endsWith('.d.ts')).length > 10, 'too few .d.ts files')
    assert.deepEqual(
      paths.filter((path) => /\.test\.|\/testing\/|\.ts$/.test(path) && !path.endsWith('.d.ts')),
      [],
    )
    assert.deepEqual(
      paths.filter(
        (path) => !/^(bin|dist)\//.test(path) && !['package.json', 'README.md', 'LICENSE'].includes(path),
      ),
      [],
    )
    const testOnly = filesUnder(join(installed, 'dist')).filter((file) =>
      /from '(node:test|fast-check)'/.test(readFileSync(file, 'utf8')),
    )
    assert.deepEqual(testOnly, [], 'compiled files import test-only modules')
  })

  it('installs a meshwork command that prints the version and lists the verbs', async () => {
    const bin = join(appDir, 'node_modules', '.bin', 'meshwork')
    assert.equal((await run(process.execPath, [bin, '--version'], appDir, RUN_LIMIT_MS)).trim(), version)
    const help = await run(process.execPath, [bin, '--help'], appDir, RUN_LIMIT_MS)
    for (const verb of ['start', 'sim', 'node', 'status', 'members', 'cluster', 'evolve']) {
      assert.match(help, new RegExp(`^ {2}${verb} `, 'm'), `help does not list ${verb}`)
    }
  })

  it('ships the bundled node process, which starts a node on TCP and QUIC from where it is installed', async () => {
    const bundle = join(installed, 'dist', 'node-process.mjs')
    assert.equal((await run(process.execPath, [bundle, '--version'], appDir, RUN_LIMIT_MS)).trim(), version)
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwork-bundle-node-'))
    const child = spawn(
      process.execPath,
      [
        bundle,
        ...['node', 'start', '--realm', 'package-test', '--data-dir', dataDir, '--api', '127.0.0.1:0'],
        ...[
          '--listen',
          '/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/0/quic-v1',
          '--no-mdns',
          '--no-dht',
          '--no-nat',
        ],
      ],
      { cwd: appDir, env: NPM_ENV, stdio: ['ignore', 'pipe', 'ignore'] },
    )
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ready line')), RUN_LIMIT_MS)
        createInterface({ input: child.stdout }).once('line', (line) => {
          clearTimeout(timer)
          resolve(line)
        })
        child.once('exit', (code) => reject(new Error(`the node exited with ${code}`)))
      })
      // QUIC's native library is found from the installed package, not from a checkout
      assert.match(
        ready,
        /^meshwork node 12D3KooW\w+ listening on \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+ \/ip4\/127\.0\.0\.1\/udp\/\d+\/quic-v1/,
      )
    } finally {
      child.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('exports the library surface, which runs a simulation', async () => {
    const script = `
      import * as meshwork from 'meshwork'
      const scenario = meshwork.resolveScenario({ ...meshwork.SCENARIO_DEFAULTS, nodes: 8, seed: 5 })
      const report = meshwork.runMembershipSimulation(scenario)
      console.log(JSON.stringify({ exports: Object.keys(meshwork), ok: report.ok, nodes: report.nodes }))`
    const output = await run(
      process.execPath,
      ['--input-type=module', '--eval', script],
      appDir,
      RUN_LIMIT_MS,
    )
    const result = JSON.parse(output) as { exports: string[]; ok: boolean; nodes: number }
    for (const name of [
      'Membership',
      'membershipModule',
      'MeshNode',
      'startNode',
      'runMembershipSimulation',
      'getStatus',
      'MeshError',
    ]) {
      assert.ok(result.exports.includes(name), `missing export ${name}`)
    }
    assert.deepEqual({ ok: result.ok, nodes: result.nodes }, { ok: true, nodes: 8 })
  })

  it('evolves with NEAT from the compiled package (meshwork/neat), on a worker thread', async () => {
    const script = `
      import * as neat from 'meshwork/neat'
      import * as meshwork from 'meshwork'
      if ('neat' in meshwork) throw new Error('neat hangs off the root again')
      const task = neat.createTask('xor')
      const config = neat.taskConfig(task, { maxGenerations: 5 })
      const evaluator = new neat.WorkerPoolEvaluator({ workers: 1, fitness: neat.builtInTaskFitness('xor'), recurrent: false })
      const result = await neat.evolve(neat.initialState(task, config, 3), { task, config, evaluator })
      await evaluator.close()
      console.log(JSON.stringify({ generations: result.generations, evaluations: result.evaluations }))`
    const output = await run(
      process.execPath,
      ['--input-type=module', '--eval', script],
      appDir,
      RUN_LIMIT_MS,
    )
    const result = JSON.parse(output) as { generations: number; evaluations: number }
    assert.ok(result.generations >= 1 && result.generations <= 5)
    assert.equal(result.evaluations, result.generations * 100)
  })

  it('types the library for a TypeScript user through its declarations', async () => {
    // Each @ts-expect-error fails the check if the type it probes has fallen back to any.
    writeFileSync(
      join(appDir, 'consumer.ts'),
      `import { type MembershipReport, type NodeStatus, type RunningNode, startNode } from 'meshwork'
export function probe(report: MembershipReport, status: NodeStatus, node: RunningNode): void {
  // @ts-expect-error ok is a boolean
  const ok: number = report.ok
  // @ts-expect-error version is a string
  const version: number = status.version
  // @ts-expect-error stop returns a promise
  const stopped: number = node.stop()
  // @ts-expect-error startNode needs options
  void startNode()
  void [ok, version, stopped]
}
`,
    )
    writeFileSync(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2024',
          module: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    )
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    await run(process.execPath, [tsc, '-p', appDir], appDir, RUN_LIMIT_MS)
  })
})
