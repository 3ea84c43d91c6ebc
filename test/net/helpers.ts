/** Reading libp2p-engine nodes in tests: their members and metrics, whatever modules they run. */
import type { MembersView, MemberView } from '../../src/api/index.ts'
import { membershipOf } from '../../src/engines/contract/index.ts'
import type { Libp2pDriver } from '../../src/engines/libp2p/index.ts'
import type { RunningNode } from '../../src/node/index.ts'

/** Members the node holds alive. */
export function alive(node: Libp2pDriver): number {
  return membershipOf(node.meshNode)?.memberCounts().alive ?? 0
}

/** The members view the control API serves. */
export function members(node: RunningNode): readonly MemberView[] {
  return (node.view('members') as MembersView | undefined)?.members ?? []
}

/** The sum of a metric's samples whose labels include `labels`. */
export function metric(node: RunningNode, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const sample of node.metrics()) {
    if (sample.name !== name || sample.kind === 'observations') continue
    const own = sample.labels ?? {}
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) total += sample.value
  }
  return total
}

export async function until(predicate: () => boolean, limitMs: number): Promise<number> {
  const start = performance.now()
  while (!predicate()) {
    if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return performance.now() - start
}
