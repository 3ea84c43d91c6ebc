/** Reads a file named on the command line, or fails with one clear line (`cannot read <path>: …`). */
import { readFile } from 'node:fs/promises'
import { MeshError, type MeshErrorCode } from '../kernel/index.ts'

export async function readInputFile(path: string, code: MeshErrorCode): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new MeshError(code, `cannot read ${path}: ${(error as Error).message}`)
  }
}
