/**
 * The simulator's side of the engine contract (`engines/contract/`): a small LAN cluster in virtual time
 * of the same composed nodes a real node runs (`nodeModules`), every message encoded and decoded, so the
 * contract exercises the same codecs and frame checks as the wire.
 */
import { type Millis, type NodeId, Random, StandInSigner } from '../../kernel/index.ts'
import { LINK_MODELS, MeshNode, nodeModules } from '../../node/index.ts'
import { type ClusterUnderTest, sumRejections } from '../contract/index.ts'
import { SkewedClock } from './clock.ts'
import { SimNetwork } from './network.ts'
import { Scheduler } from './scheduler.ts'
import { SimHost } from './sim-host.ts'

const STEP_MS = 10

export async function startSimCluster(size: number, seed = 1): Promise<ClusterUnderTest> {
  const root = new Random(seed)
  const scheduler = new Scheduler()
  const lan = LINK_MODELS.lan
  const network = new SimNetwork(root.fork('network'), {
    latency: { minMs: lan.minDelayMs, maxMs: lan.maxDelayMs, jitterMs: lan.jitterMs },
    lossRate: 0,
    duplicateRate: 0,
    reorderRate: 0,
  })
  const ids: NodeId[] = Array.from({ length: size }, (_, i) => `n${i}`)
  const modules = nodeModules({ labels: [], capacity: 1, memoryMb: 0, region: '', hidden: false })
  const host = new SimHost({
    scheduler,
    network,
    ids,
    clocks: ids.map(() => new SkewedClock(0, 0)),
    wire: true,
    create: (index, now) =>
      new MeshNode({
        self: ids[index] as NodeId,
        now,
        random: root.fork(`node-${index}`),
        signer: new StandInSigner(ids[index] as NodeId),
        connectionClass: 'lan',
        addresses: [`/sim/${index}`],
        modules,
      }),
    onEvent: () => {},
  })
  for (let i = 0; i < size; i++)
    host.start(i, (node, now) => node.hint(now, { kind: 'seeds', peers: i === 0 ? [] : ['n0'] }))

  return {
    size,
    virtualTime: true,
    node: (index) => host.node(index),
    peerId: (index) => ids[index] as NodeId,
    rejectedFrames: (index) => sumRejections(host.node(index)?.rejectedFrames() ?? {}),
    crash: async (index) => host.crash(index),
    partition: async (sides) => {
      const sideOf = new Map<number, number>()
      sides.forEach((side, group) => {
        for (const node of side) sideOf.set(node, group + 1)
      })
      network.partition((node) => sideOf.get(node) ?? 0, 'symmetric')
    },
    heal: async () => network.heal(),
    injectFrame: async (to, from, protocol, bytes) =>
      host.injectFrame(to, ids[from] as NodeId, protocol, bytes),
    waitFor: async (predicate, limitMs: Millis) => {
      const end = scheduler.now + limitMs
      while (scheduler.now < end) {
        if (predicate()) return true
        scheduler.runUntil(Math.min(end, scheduler.now + STEP_MS))
      }
      return predicate()
    },
    close: async () => {},
  }
}
