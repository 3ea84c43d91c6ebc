/**
 * Node processes of a local cluster: spawned detached with their output in a log file, so they live on
 * after `meshwork cluster up` returns; checked and signalled by pid.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  buildNodeBundle,
  CHECKOUT_BUNDLE,
  isBundleFresh,
  PACKAGE_ROOT,
  PACKAGED_BUNDLE,
} from './node-bundle.ts'

/**
 * The CLI entry next to this file, with this file's own extension: `main.ts` when Node runs the sources
 * (development), `main.js` when it runs the compiled package (`dist/`).
 */
const CLI_ENTRY = fileURLToPath(
  new URL(`../cli/main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
)

/** Whether this module runs from the sources (a checkout) rather than the compiled package. */
const FROM_SOURCES = extname(fileURLToPath(import.meta.url)) === '.ts'

/**
 * The script each node process runs: the bundled node process (`node-bundle.ts`) when there is one, the
 * CLI entry otherwise. A checkout builds the bundle on first use and after any change to what it was
 * built from; `MESHWORK_NODE_BUNDLE=0` runs the sources instead (a stack trace then names source files).
 * The published package ships the bundle as dist/node-process.mjs.
 */
let entry: Promise<string> | undefined
export function nodeProcessEntry(): Promise<string> {
  entry ??= chooseEntry()
  return entry
}

async function chooseEntry(): Promise<string> {
  if (!FROM_SOURCES) return existsSync(PACKAGED_BUNDLE) ? PACKAGED_BUNDLE : CLI_ENTRY
  if (process.env.MESHWORK_NODE_BUNDLE === '0') return CLI_ENTRY
  if (isBundleFresh(PACKAGE_ROOT, CHECKOUT_BUNDLE)) return CHECKOUT_BUNDLE
  try {
    await buildNodeBundle({ root: PACKAGE_ROOT, outfile: CHECKOUT_BUNDLE, manifest: true })
    return CHECKOUT_BUNDLE
  } catch (error) {
    // no esbuild (installed without dev dependencies) or a build error: the sources still run
    process.emitWarning(`node processes run from the sources: ${(error as Error).message.split('\n', 1)[0]}`)
    return CLI_ENTRY
  }
}

/**
 * V8 flags for node processes. A node's heap stays around 20 MB, so V8's default 16 MB young generation
 * (which it may triple) mostly holds garbage; 1 MB keeps an idle node near 135 MB resident instead of
 * 155 MB, at a negligible cost in scavenges.
 */
export const NODE_PROCESS_FLAGS: readonly string[] = ['--max-semi-space-size=1']

/** Node flags added from MESHWORK_NODE_FLAGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile. */
function extraFlags(): string[] {
  return (process.env.MESHWORK_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '')
}

/**
 * Node's on-disk compile cache (V8 code cache, and for `.ts` sources the type-stripped text), in Node's
 * own default place unless NODE_COMPILE_CACHE names another. For the bundle it keeps V8's code for its
 * one file; for the sources (`MESHWORK_NODE_BUNDLE=0`, or a checkout without esbuild) it spares every
 * node process stripping the types of ~100 files and compiling ~1,000 modules from scratch. Entries are
 * keyed by content, so an edited file only misses.
 */
export const COMPILE_CACHE_DIR = process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache')

export interface NodeProcessSpec {
  readonly name: string
  readonly dataDir: string
  readonly args: readonly string[]
}

export interface SpawnedNode {
  readonly pid: number
  readonly logFile: string
  /** Where this run's output begins in the log, which earlier runs of the node appended to. */
  readonly logOffset: number
}

/** Starts a node process running `script` (from `nodeProcessEntry`). */
export function spawnNode(script: string, spec: NodeProcessSpec): SpawnedNode {
  mkdirSync(spec.dataDir, { recursive: true })
  const logFile = join(spec.dataDir, 'node.log')
  const log = openSync(logFile, 'a')
  try {
    const logOffset = fstatSync(log).size
    const flags = [...NODE_PROCESS_FLAGS, ...extraFlags()]
    const child = spawn(process.execPath, [...flags, script, 'node', 'start', ...spec.args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE_DIR },
    })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${spec.name}`)
    return { pid: child.pid, logFile, logOffset }
  } finally {
    closeSync(log)
  }
}

export function isRunning(pid: number | null): boolean {
  if (pid === null) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export function signal(pid: number | null, name: NodeJS.Signals): void {
  if (pid === null) return
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

/** Waits until none of `pids` runs, up to `limitMs`; returns those still running. */
export async function waitForExit(pids: readonly number[], limitMs: number): Promise<number[]> {
  const end = performance.now() + limitMs
  let alive = pids.filter(isRunning)
  while (alive.length > 0 && performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    alive = alive.filter(isRunning)
  }
  return alive
}

/** A failed start's log is a few lines; more than this is read from its end. */
const MAX_FAILURE_LOG_BYTES = 65_536

/**
 * Why a node process that exited during start failed, from what it wrote to its log since `offset`: the
 * one line `meshwork: …` that the CLI prints for every refusal, or else the last line that is not a JSON
 * log entry (an uncaught error's message). Undefined when the log says nothing.
 */
export function startFailureReason(logFile: string, offset: number): string | undefined {
  let text: string
  try {
    const fd = openSync(logFile, 'r')
    try {
      const size = fstatSync(fd).size
      const start = Math.max(offset, size - MAX_FAILURE_LOG_BYTES)
      const buffer = Buffer.alloc(Math.max(0, size - start))
      readSync(fd, buffer, 0, buffer.length, start)
      text = buffer.toString('utf8')
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined
  }
  const lines = text.split('\n').map((line) => line.trim())
  const refusal = lines.findLast((line) => line.startsWith('meshwork: '))
  if (refusal !== undefined) return refusal.slice('meshwork: '.length)
  return lines.findLast((line) => line !== '' && !line.startsWith('{') && !line.startsWith('at '))
}
