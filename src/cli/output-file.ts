/**
 * Checks, before any work starts, that a file named on the command line can be written: an experiment
 * must not run for minutes and then die on its export path. Nothing is created; the check reads what
 * exists (the file, or the directory it would go in) and whether this process may write there.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { MeshError } from '../kernel/index.ts'

export function checkWritableFile(flag: string, path: string): void {
  const problem = writeProblem(resolve(path))
  if (problem !== undefined) {
    throw new MeshError('INVALID_ARGUMENT', `${flag} ${path} cannot be written: ${problem}`)
  }
}

function writeProblem(path: string): string | undefined {
  const existing = kind(path)
  if (existing === 'directory') return 'it is a directory'
  if (existing === 'file') return writable(path) ? undefined : 'permission denied'
  const parent = dirname(path)
  const parentKind = kind(parent)
  if (parentKind === 'missing') return `the directory ${parent} does not exist`
  if (parentKind === 'file') return `${parent} is not a directory`
  if (parentKind === 'under-file') return `${nearestFile(parent)} is not a directory`
  return writable(parent) ? undefined : `permission denied in ${parent}`
}

type Kind = 'file' | 'directory' | 'missing' | 'under-file'

function kind(path: string): Kind {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file'
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'under-file' : 'missing'
  }
}

/** The file that stands where a directory of `path` should be. */
function nearestFile(path: string): string {
  let current = path
  while (kind(current) === 'under-file') current = dirname(current)
  return current
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}
