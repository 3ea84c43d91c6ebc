/**
 * The local cluster's state file (`<dir>/cluster.json`): which processes belong to it, where their APIs
 * and data live. Every `meshwork cluster` verb reads it, so a cluster outlives the command that started
 * it. Written atomically (temporary file, then rename), so a crash mid-write never leaves half a file.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MeshError } from '../kernel/index.ts'

export const STATE_FILE = 'cluster.json'

export interface ClusterNodeRecord {
  readonly name: string
  readonly peerId: string
  /** The process id, or null while the node is down (killed and not restarted). */
  readonly pid: number | null
  /** The node's control API base URL. */
  readonly api: string
  readonly dataDir: string
  readonly logFile: string
  readonly listen: readonly string[]
}

export interface ClusterState {
  readonly version: 2
  readonly realm: string
  readonly connectionClass: string
  readonly linkProfile: string | null
  readonly basePort: number
  readonly nodes: readonly ClusterNodeRecord[]
}

export function statePath(dir: string): string {
  return join(dir, STATE_FILE)
}

export function readState(dir: string): ClusterState {
  let text: string
  try {
    text = readFileSync(statePath(dir), 'utf8')
  } catch {
    throw new MeshError(
      'NOT_FOUND',
      `no cluster in ${dir}; start one with: meshwork cluster up --nodes 5 --dir ${dir}`,
    )
  }
  try {
    const state = JSON.parse(text) as ClusterState
    if (state.version !== 2 || !Array.isArray(state.nodes)) throw new Error('unknown layout')
    return state
  } catch (error) {
    throw new MeshError(
      'INVALID_CONFIG',
      `${statePath(dir)} is not a cluster state file (${(error as Error).message})`,
    )
  }
}

export function writeState(dir: string, state: ClusterState): void {
  const path = statePath(dir)
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(temporary, path)
}

/**
 * `writeState`, unless the cluster's directory is gone: `meshwork start` removes it once every node has
 * died, which a kill from another terminal may just have caused. Returns whether it wrote.
 */
export function writeStateIfPresent(dir: string, state: ClusterState): boolean {
  try {
    writeState(dir, state)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

export function removeState(dir: string): void {
  rmSync(statePath(dir), { force: true })
}

export function findNode(state: ClusterState, name: string): ClusterNodeRecord {
  const node = state.nodes.find((each) => each.name === name)
  if (node === undefined) {
    const names = state.nodes.map((each) => each.name).join(', ')
    throw new MeshError('NOT_FOUND', `no node '${name}' in this cluster (nodes: ${names})`)
  }
  return node
}
