/**
 * One node process per data directory. Two daemons on one directory would run under the same identity
 * (the same peer id), each refuting the other's suspicions and overwriting the other's state, so the
 * daemon takes `<dataDir>/node.lock` before it starts anything: the file is created exclusively and holds
 * the owner's pid. A lock whose pid no longer runs (the node was killed with SIGKILL, the machine lost
 * power) is stale and taken over; the lock is removed again on shutdown, and on any exit of the process.
 *
 * The same idea as PostgreSQL's `postmaster.pid`, and the same limit: a stale lock whose pid was since
 * reused by an unrelated process is taken for a live node (the error's data names the file to delete).
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MeshError } from '../kernel/index.ts'

export const LOCK_FILE = 'node.lock'
/** A stale lock is taken over by removing it and creating it again; racing starts retry this often. */
const MAX_TAKEOVER_ATTEMPTS = 3

export interface DataDirLock {
  readonly path: string
  /** Removes the lock if it is still this process's. Safe to call more than once. */
  release(): void
}

export function lockDataDir(dataDir: string, pid = process.pid): DataDirLock {
  ensureDirectory(dataDir)
  const path = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < MAX_TAKEOVER_ATTEMPTS; attempt += 1) {
    try {
      writeFileSync(path, `${pid}\n`, { flag: 'wx', mode: 0o644 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotLock(path, error)
      const owner = readOwner(path)
      if (owner !== undefined && isRunning(owner)) throw alreadyRunning(owner, pid, dataDir, path)
      removeIfOwnedBy(path, owner)
      continue
    }
    // Two starts taking over one stale lock at once can both get here; the file says who won.
    if (readOwner(path) !== pid) continue
    return heldLock(path, pid)
  }
  const owner = readOwner(path)
  if (owner !== undefined) throw alreadyRunning(owner, pid, dataDir, path)
  throw new MeshError('UNAVAILABLE', `cannot lock the data directory ${dataDir}: ${path} keeps changing`)
}

function heldLock(path: string, pid: number): DataDirLock {
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    process.off('exit', release)
    if (readOwner(path) === pid) removeIfOwnedBy(path, pid)
  }
  process.once('exit', release)
  return { path, release }
}

function ensureDirectory(dataDir: string): void {
  try {
    if (!statSync(dataDir).isDirectory()) {
      throw new MeshError('INVALID_ARGUMENT', `--data-dir ${dataDir} is a file; it must be a directory`)
    }
    return
  } catch (error) {
    if (error instanceof MeshError) throw error
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotLock(dataDir, error)
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `cannot make the data directory ${dataDir}: ${(error as Error).message}`,
    )
  }
}

/** The pid in the lock file, or undefined when it is gone or holds no pid (a write cut short). */
function readOwner(path: string): number | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
  const pid = Number(text)
  return /^\d+$/.test(text) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

function removeIfOwnedBy(path: string, owner: number | undefined): void {
  if (readOwner(path) !== owner) return
  try {
    unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotLock(path, error)
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function alreadyRunning(pid: number, self: number, dataDir: string, path: string): MeshError {
  return new MeshError(
    'UNAVAILABLE',
    pid === self
      ? `this process already runs a node on the data directory ${dataDir}`
      : `another node (pid ${pid}) runs on the data directory ${dataDir}; stop it first, or give this node its own --data-dir`,
    { pid, lockFile: path },
  )
}

function cannotLock(path: string, error: unknown): MeshError {
  return new MeshError('UNAVAILABLE', `cannot lock the data directory (${path}): ${(error as Error).message}`)
}
