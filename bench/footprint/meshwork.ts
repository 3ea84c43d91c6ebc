/**
 * The footprint benchmark's Meshwork side: a `meshwork cluster up` cluster (src/cluster, LAN class), its
 * failure reports taken from each node's event stream.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { streamEvents } from '../../src/api/client.ts'
import {
  type ClusterState,
  down,
  readState,
  restart,
  up,
  waitForConvergence,
} from '../../src/cluster/index.ts'
import type { FailureReport, SystemDriver } from './harness.ts'

export function meshworkDriver(nodes: number, basePort: number): SystemDriver {
  const dir = mkdtempSync(join(os.tmpdir(), 'meshwork-footprint-'))
  const abort = new AbortController()
  let state: ClusterState | undefined
  let reports: FailureReport[] | undefined
  const current = (): ClusterState => {
    if (state === undefined) throw new Error('the cluster is not up')
    return state
  }
  const listen = (index: number): void => {
    const node = current().nodes[index]
    if (node === undefined || reports === undefined) return
    const sink = reports
    const indexOf = new Map(current().nodes.map((each, i) => [each.peerId, i]))
    void (async () => {
      try {
        for await (const event of streamEvents(node.api, undefined, { signal: abort.signal })) {
          if (event.type !== 'MemberFailed' && event.type !== 'MemberLeft') continue
          const subject = indexOf.get(event.id)
          if (subject !== undefined) sink.push({ observer: index, subject, at: performance.now() })
        }
      } catch {
        // the node was killed: its stream ends
      }
    })()
  }
  return {
    nodes,
    async up() {
      state = await up({ nodes, dir, connectionClass: 'lan', basePort, convergeLimitMs: 120_000 })
    },
    pid(index) {
      const pid = current().nodes[index]?.pid
      if (pid === null || pid === undefined) throw new Error(`node ${index} has no process`)
      return pid
    },
    async watch(sink) {
      reports = sink
      for (let index = 0; index < nodes; index++) listen(index)
    },
    async converged(limitMs) {
      await waitForConvergence(current().nodes, limitMs)
    },
    async restart(index) {
      const name = current().nodes[index]?.name as string
      await restart(dir, name, 60_000)
      state = readState(dir)
      listen(index)
    },
    async down() {
      abort.abort()
      await down(dir).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
