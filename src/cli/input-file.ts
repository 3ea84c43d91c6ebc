/** Reads a file named on the command line, or fails with one clear line (`cannot read <path> …`). */
import { readFile } from 'node:fs/promises'
import { MeshError, type MeshErrorCode } from '../kernel/index.ts'

export async function readInputFile(path: string, code: MeshErrorCode): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new MeshError(code, `cannot read ${path}${fileProblem(error)}`)
  }
}

/** ` does not exist`, ` is a directory`, …: what a failed file operation means, without the system call. */
export function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return ' does not exist'
    case 'EISDIR':
      return ' is a directory'
    case 'ENOTDIR':
      return ': a part of the path is a file, not a directory'
    case 'EACCES':
    case 'EPERM':
      return ': permission denied'
    default:
      return `: ${(error as Error).message}`
  }
}
