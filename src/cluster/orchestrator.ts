/**
 * A local cluster of real node processes on loopback, for trying Meshwork and breaking it on purpose:
 * up, status, kill, restart, partition, heal, down. Each node is a `meshwork node start` process with
 * fixed ports (API at basePort + i, TCP at basePort + 1000 + i), so a
 * restarted node comes back at the same addresses with the same identity. Faults go through each node's
 * control API, which the nodes accept because the cluster starts them with `--allow-fault-injection`.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { getMembers, getStatus, postFaults } from '../api/index.ts'
import { type ConnectionClass, isConnectionClass, MeshError, Random } from '../kernel/index.ts'
import { LINK_MODELS } from '../node/index.ts'
import {
  type ClusterNodeRecord,
  type ClusterState,
  findNode,
  readState,
  removeState,
  writeState,
  writeStateIfPresent,
} from './cluster-state.ts'
import {
  isRunning,
  nodeProcessEntry,
  type SpawnedNode,
  signal,
  spawnNode,
  startFailureReason,
  waitForExit,
} from './processes.ts'

export const DEFAULT_BASE_PORT = 17_000
export const DEFAULT_CLUSTER_DIR = '.meshwork/cluster'
/**
 * How often `up` asks the nodes whether they are ready and converged: half the 100 ms it was, as that
 * wait is part of the converge time a user sees; 20 small requests a second cost a node well under 1 %.
 */
const POLL_MS = 50
const API_READY_LIMIT_MS = 30_000
const SHUTDOWN_LIMIT_MS = 5_000

export interface UpOptions {
  readonly nodes: number
  readonly dir: string
  readonly connectionClass: ConnectionClass
  readonly basePort: number
  readonly linkProfile?: ConnectionClass
  /** How long to wait for every node to see every other. */
  readonly convergeLimitMs: number
  readonly onProgress?: (line: string) => void
}

export type NodeRunState = 'running' | 'partitioned' | 'stopping' | 'down' | 'unreachable'

export interface NodeReport {
  readonly name: string
  readonly peerId: string
  readonly pid: number | null
  readonly api: string
  readonly state: NodeRunState
  readonly alive?: number
  readonly suspect?: number
  readonly failed?: number
}

function ports(basePort: number, index: number): { api: number; tcp: number } {
  return { api: basePort + index, tcp: basePort + 1_000 + index }
}

function nodeArgs(
  state: Pick<ClusterState, 'realm' | 'connectionClass'>,
  node: ClusterNodeRecord,
  seeds: string[],
): string[] {
  return [
    '--realm',
    state.realm,
    '--connection-class',
    state.connectionClass,
    '--data-dir',
    node.dataDir,
    '--api',
    new URL(node.api).host,
    '--listen',
    node.listen.join(','),
    ...(seeds.length > 0 ? ['--seeds', seeds.join(',')] : []),
    '--no-mdns',
    // loopback clusters find each other through their seeds; a DHT or NAT traversal would only add load
    '--no-dht',
    '--no-nat',
    '--allow-fault-injection',
  ]
}

export async function up(options: UpOptions): Promise<ClusterState> {
  const dir = resolve(options.dir)
  makeClusterDir(dir, options.dir)
  try {
    readState(dir)
    throw new MeshError(
      'INVALID_ARGUMENT',
      `a cluster already runs in ${dir}; stop it with: meshwork cluster down --dir ${dir}`,
    )
  } catch (error) {
    if ((error as MeshError).code !== 'NOT_FOUND') throw error
  }
  const realm = `cluster-${randomBytes(4).toString('hex')}`
  const identities = await Promise.all(
    Array.from({ length: options.nodes }, (_, index) => nodePeerId(join(dir, `n${index}`))),
  )
  const records: ClusterNodeRecord[] = identities.map((peerId, index) => {
    const port = ports(options.basePort, index)
    const dataDir = join(dir, `n${index}`)
    return {
      name: `n${index}`,
      peerId,
      pid: null,
      api: `http://127.0.0.1:${port.api}`,
      dataDir,
      logFile: join(dataDir, 'node.log'),
      // TCP only: on loopback QUIC cost each node more idle CPU, ~3.5 MB of resident memory for its
      // native library, and slower detection of a killed node (a closed UDP socket sends no reset);
      // measured in docs/adr/0010-bundled-node-processes-and-quic-first.md
      listen: [`/ip4/127.0.0.1/tcp/${port.tcp}`],
    }
  })
  let state: ClusterState = {
    version: 2,
    realm,
    connectionClass: options.connectionClass,
    linkProfile: options.linkProfile ?? null,
    basePort: options.basePort,
    nodes: records,
  }
  const seed = records[0]?.listen[0]
  const script = await nodeProcessEntry()
  const spawned = records.map((node, index) =>
    spawnNode(script, {
      name: node.name,
      dataDir: node.dataDir,
      args: nodeArgs(state, node, index === 0 || seed === undefined ? [] : [seed]),
    }),
  )
  const started = records.map((node, index) => ({ ...node, pid: spawned[index]?.pid ?? null }))
  state = { ...state, nodes: started }
  writeState(dir, state)
  try {
    options.onProgress?.(`started ${started.length} node processes; waiting for their APIs`)
    await Promise.all(started.map((node, index) => waitForApi(node, realm, spawned[index])))
    if (options.linkProfile !== undefined) {
      const link = LINK_MODELS[options.linkProfile]
      await Promise.all(started.map((node) => postFaults(node.api, { link })))
    }
    if (started.length > 1) options.onProgress?.('waiting until every node sees every other')
    await waitForConvergence(started, options.convergeLimitMs)
    return state
  } catch (error) {
    // a cluster that did not come up is taken down again: no process is left behind
    await down(dir).catch(() => {})
    if (error instanceof MeshError && / in use /.test(error.message)) {
      throw new MeshError(
        error.code,
        `${error.message}; or start the cluster on other ports with --base-port`,
      )
    }
    throw error
  }
}

/**
 * The peer id a node started on `dataDir` will have: the engine's identity file there, made now if the
 * node never ran. Knowing it before the start is what lets `waitForApi` tell the node from whatever else
 * answers on its port.
 */
async function nodePeerId(dataDir: string): Promise<string> {
  // Loaded here, not at the top: only `up` and `restart` need it; it uses Node's crypto, not libp2p's.
  const { loadOrCreatePeerId } = await import('../engines/libp2p/identity/index.ts')
  mkdirSync(dataDir, { recursive: true })
  return loadOrCreatePeerId(dataDir)
}

/**
 * Waits until the node started as `spawned` answers on its API with its own peer id and the cluster's
 * realm. Something else answering there (a node of another cluster, any program on that port) is not
 * taken for it: the wait goes on until the node answers, exits (then its own reason is the error), or the
 * time is up (then the error names what answered).
 */
function makeClusterDir(dir: string, given: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new MeshError(
      'INVALID_ARGUMENT',
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `--dir ${given} is a file; it must be a directory`
        : `cannot make the cluster directory ${given}: ${(error as Error).message}`,
    )
  }
}

async function waitForApi(
  node: ClusterNodeRecord,
  realm: string,
  spawned: SpawnedNode | undefined,
): Promise<void> {
  const end = performance.now() + API_READY_LIMIT_MS
  let stranger: string | undefined
  for (;;) {
    if (!isRunning(node.pid)) {
      const reason =
        spawned === undefined ? undefined : startFailureReason(spawned.logFile, spawned.logOffset)
      throw new MeshError(
        'UNAVAILABLE',
        reason === undefined
          ? `node ${node.name} exited during start; see ${node.logFile}`
          : `node ${node.name} could not start: ${reason}`,
      )
    }
    try {
      const status = await getStatus(node.api, undefined, { timeoutMs: 1_000 })
      if (status.peerId === node.peerId && status.realm === realm) return
      stranger = `peer id ${status.peerId} of realm ${status.realm}`
    } catch {
      // not listening yet
    }
    if (performance.now() > end) {
      throw new MeshError(
        'TIMEOUT',
        stranger === undefined
          ? `node ${node.name} did not serve its API within ${API_READY_LIMIT_MS} ms; see ${node.logFile}`
          : `another program answers on ${node.api} (${stranger}), not node ${node.name} (${node.peerId}); see ${node.logFile}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** Resolves when every listed node sees every other listed node alive. */
export async function waitForConvergence(
  nodes: readonly ClusterNodeRecord[],
  limitMs: number,
): Promise<number> {
  const start = performance.now()
  const ids = new Set(nodes.map((node) => node.peerId))
  for (;;) {
    const views = await Promise.all(nodes.map((node) => getMembers(node.api).catch(() => undefined)))
    const converged = views.every((view) => {
      if (view === undefined) return false
      const alive = view.members.filter((member) => member.state === 'alive' && ids.has(member.peerId))
      return alive.length === ids.size - 1
    })
    if (converged) return performance.now() - start
    if (performance.now() - start > limitMs) {
      throw new MeshError(
        'TIMEOUT',
        `the cluster did not converge within ${limitMs} ms (see the nodes' node.log)`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

export async function status(dir: string): Promise<NodeReport[]> {
  const state = readState(resolve(dir))
  return Promise.all(
    state.nodes.map(async (node): Promise<NodeReport> => {
      const base = { name: node.name, peerId: node.peerId, pid: node.pid, api: node.api }
      if (!isRunning(node.pid)) return { ...base, pid: null, state: 'down' }
      try {
        const reply = await getStatus(node.api, undefined, { timeoutMs: 2_000 })
        return { ...base, state: reply.state, ...reply.members }
      } catch {
        return { ...base, state: 'unreachable' }
      }
    }),
  )
}

/** Kills nodes at once (SIGKILL: no leave announced): one by name, or a share such as `40%`. */
export async function kill(dir: string, target: string): Promise<string[]> {
  const root = resolve(dir)
  const state = readState(root)
  const running = state.nodes.filter((node) => isRunning(node.pid))
  let victims: ClusterNodeRecord[]
  const share = /^(\d+(?:\.\d+)?)%$/.exec(target)
  if (share !== null) {
    const percent = Number(share[1])
    if (!(percent > 0 && percent <= 100)) {
      throw new MeshError('INVALID_ARGUMENT', `a share of the nodes is 1% to 100%, got '${target}'`)
    }
    const count = Math.max(1, Math.round((percent / 100) * running.length))
    victims = new Random(randomBytes(4).readUInt32LE(0)).sample(running, count)
  } else {
    const node = findNode(state, target)
    if (!isRunning(node.pid)) throw new MeshError('INVALID_ARGUMENT', `node ${target} is not running`)
    victims = [node]
  }
  for (const victim of victims) signal(victim.pid, 'SIGKILL')
  await waitForExit(
    victims.flatMap((victim) => (victim.pid === null ? [] : [victim.pid])),
    SHUTDOWN_LIMIT_MS,
  )
  const killed = new Set(victims.map((victim) => victim.name))
  writeStateIfPresent(root, {
    ...state,
    nodes: state.nodes.map((node) => (killed.has(node.name) ? { ...node, pid: null } : node)),
  })
  return [...killed]
}

export async function restart(
  dir: string,
  name: string,
  convergeLimitMs: number,
): Promise<ClusterNodeRecord> {
  const root = resolve(dir)
  const state = readState(root)
  const node = findNode(state, name)
  if (isRunning(node.pid)) throw new MeshError('INVALID_ARGUMENT', `node ${name} is running; kill it first`)
  const seeds = state.nodes
    .filter((other) => other.name !== name && isRunning(other.pid))
    .map((other) => other.listen[0] as string)
  // The record's peer id is the identity in its data dir; a state file from before identities were
  // read up front may hold none.
  const expected = { ...node, peerId: await nodePeerId(node.dataDir) }
  const spawned = spawnNode(await nodeProcessEntry(), {
    name,
    dataDir: node.dataDir,
    args: nodeArgs(state, expected, seeds),
  })
  const restarted = { ...expected, pid: spawned.pid }
  const nodes = state.nodes.map((each) => (each.name === name ? restarted : each))
  writeState(root, { ...state, nodes })
  try {
    await waitForApi(restarted, state.realm, spawned)
  } catch (error) {
    signal(spawned.pid, 'SIGKILL')
    await waitForExit([spawned.pid], SHUTDOWN_LIMIT_MS)
    writeState(root, {
      ...state,
      nodes: state.nodes.map((each) => (each.name === name ? { ...expected, pid: null } : each)),
    })
    throw error
  }
  if (state.linkProfile !== null && isConnectionClass(state.linkProfile)) {
    await postFaults(restarted.api, { link: LINK_MODELS[state.linkProfile] })
  }
  await waitForConvergence(
    nodes.filter((each) => isRunning(each.pid)),
    convergeLimitMs,
  )
  return restarted
}

/** The cluster's state, refused when none of its nodes runs: a fault then has no one to act on. */
function readRunningState(dir: string): ClusterState {
  const root = resolve(dir)
  const state = readState(root)
  if (!state.nodes.some((node) => isRunning(node.pid))) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `no node of the cluster in ${root} is running; start it again with: meshwork cluster restart <node> --dir ${root}`,
    )
  }
  return state
}

/** Cuts the named nodes off from the rest, both ways. */
export async function partition(dir: string, names: readonly string[]): Promise<void> {
  const state = readRunningState(dir)
  const side = new Set(names.map((name) => findNode(state, name).name))
  if (side.size === 0 || side.size === state.nodes.length) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      'a partition needs some nodes on each side, e.g. meshwork cluster partition n0,n1',
    )
  }
  const inside = state.nodes.filter((node) => side.has(node.name))
  const outside = state.nodes.filter((node) => !side.has(node.name))
  await Promise.all([
    ...inside
      .filter((node) => isRunning(node.pid))
      .map((node) => postFaults(node.api, { dropPeers: outside.map((o) => o.peerId) })),
    ...outside
      .filter((node) => isRunning(node.pid))
      .map((node) => postFaults(node.api, { dropPeers: inside.map((i) => i.peerId) })),
  ])
}

export async function heal(dir: string): Promise<void> {
  const state = readRunningState(dir)
  await Promise.all(
    state.nodes.filter((node) => isRunning(node.pid)).map((node) => postFaults(node.api, { dropPeers: [] })),
  )
}

/** Stops every node (SIGTERM: each announces its leave), then SIGKILLs any that lingers. */
export async function down(dir: string): Promise<{ stopped: number; forced: number }> {
  const root = resolve(dir)
  const state = readState(root)
  const pids = state.nodes.flatMap((node) => (node.pid !== null && isRunning(node.pid) ? [node.pid] : []))
  for (const pid of pids) signal(pid, 'SIGTERM')
  const lingering = await waitForExit(pids, SHUTDOWN_LIMIT_MS)
  for (const pid of lingering) signal(pid, 'SIGKILL')
  const survivors = await waitForExit(lingering, SHUTDOWN_LIMIT_MS)
  if (survivors.length > 0) {
    throw new MeshError(
      'UNAVAILABLE',
      `processes ${survivors.join(', ')} survived SIGKILL; the state file is kept`,
    )
  }
  removeState(root)
  return { stopped: pids.length, forced: lingering.length }
}
