/**
 * Follows the membership events of every node of a local cluster, across the kills and restarts that
 * other terminals make: when a node's stream ends, the follower watches the cluster's state file until
 * the node runs again (a new pid there, and its API answering with its own peer id), says so, and opens
 * its stream again. When no node of the cluster runs any more, it stops and says why.
 */
import { getStatus, type NodeEvent, streamEvents } from '../api/index.ts'
import { type ClusterNodeRecord, readState } from './cluster-state.ts'
import { isRunning } from './processes.ts'

/** How often a down node's record is read again; a restart takes seconds, so this is plenty. */
const POLL_MS = 250

export interface FollowOptions {
  readonly signal: AbortSignal
  readonly onEvent: (node: ClusterNodeRecord, event: NodeEvent) => void
  /** A line about the cluster itself: a node that went away, or came back. */
  readonly onNotice: (line: string) => void
}

export type FollowEnd = 'stopped' | 'every-node-down'

/** Resolves when `options.signal` aborts (`stopped`) or no node of the cluster runs any more. */
export async function followClusterEvents(dir: string, options: FollowOptions): Promise<FollowEnd> {
  const allDown = new AbortController()
  const signal = AbortSignal.any([options.signal, allDown.signal])
  const names = nodes(dir).map((node) => node.name)
  const watch = (async () => {
    while (!signal.aborted) {
      await sleep(POLL_MS, signal)
      if (!nodes(dir).some((node) => isRunning(node.pid))) allDown.abort()
    }
  })()
  await Promise.all([...names.map((name) => followNode(dir, name, signal, options)), watch])
  return options.signal.aborted ? 'stopped' : 'every-node-down'
}

async function followNode(
  dir: string,
  name: string,
  signal: AbortSignal,
  options: FollowOptions,
): Promise<void> {
  let followed: number | null = null
  while (!signal.aborted) {
    const node = nodes(dir).find((each) => each.name === name)
    if (node === undefined) return
    if (node.pid === null || !isRunning(node.pid) || !(await answers(node, signal))) {
      await sleep(POLL_MS, signal)
      continue
    }
    if (followed !== null && followed !== node.pid) {
      options.onNotice(`${name} is back (pid ${node.pid}); following its events again`)
    }
    followed = node.pid
    try {
      for await (const event of streamEvents(node.api, undefined, { signal })) options.onEvent(node, event)
    } catch {
      // the node went away (killed from another terminal): its stream ends here
    }
    if (!signal.aborted)
      options.onNotice(`${name}'s event stream ended; its events show again when it restarts`)
  }
}

/** The cluster's nodes; none once its state file is gone (`cluster down` from another terminal). */
function nodes(dir: string): readonly ClusterNodeRecord[] {
  try {
    return readState(dir).nodes
  } catch {
    return []
  }
}

/** Whether the node's API answers as that node (and not another program on its port). */
async function answers(node: ClusterNodeRecord, signal: AbortSignal): Promise<boolean> {
  try {
    return (await getStatus(node.api, undefined, { timeoutMs: 1_000, signal })).peerId === node.peerId
  } catch {
    return false
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
