/**
 * The simulator's side of the engine contract (`engines/contract/`): a small LAN cluster in virtual
 * time, every message encoded and decoded, so the contract exercises the same codec path as the wire.
 */
import { type Millis, type NodeId, Random } from '../../../kernel/index.ts'
import { LINK_MODELS } from '../../../node/index.ts'
import {
  DEFAULT_PROFILE,
  decodeMessage,
  encodedMessageBytes,
  encodeMessage,
  Membership,
  type MembershipEvent,
  type MembershipMessage,
  membershipConfig,
} from '../../../protocols/membership/index.ts'
import type { ClusterUnderTest } from '../../contract/cluster-under-test.ts'
import { SkewedClock } from '../clock.ts'
import { SimNetwork } from '../network.ts'
import { Scheduler } from '../scheduler.ts'
import { SimHost } from '../sim-host.ts'

const STEP_MS = 10

export async function startSimCluster(size: number, seed = 1): Promise<ClusterUnderTest> {
  const root = new Random(seed)
  const scheduler = new Scheduler()
  const network = new SimNetwork(root.fork('network'), {
    latency: {
      minMs: LINK_MODELS.lan.minDelayMs,
      maxMs: LINK_MODELS.lan.maxDelayMs,
      jitterMs: LINK_MODELS.lan.jitterMs,
    },
    lossRate: 0,
    duplicateRate: 0,
    reorderRate: 0,
  })
  const ids: NodeId[] = Array.from({ length: size }, (_, i) => `n${i}`)
  const host = new SimHost<MembershipMessage, MembershipEvent, Membership>({
    scheduler,
    network,
    ids,
    clocks: ids.map(() => new SkewedClock(0, 0)),
    wire: true,
    codec: { encode: encodeMessage, decode: (bytes) => decodeMessage(bytes), size: encodedMessageBytes },
    create: (index, now) =>
      new Membership({
        self: ids[index] as NodeId,
        profile: DEFAULT_PROFILE,
        config: membershipConfig('lan'),
        random: root.fork(`node-${index}`),
        now,
      }),
    onEvent: () => {},
  })
  for (let i = 0; i < size; i++) host.start(i, (core, now) => core.join(now, i === 0 ? [] : ['n0']))

  return {
    size,
    stateOf: (observer, subject) => host.core(observer)?.member(ids[subject] as NodeId)?.state,
    isPartitioned: (node) => host.core(node)?.isPartitioned ?? false,
    rejectedFrames: (node) => host.rejectedBy(node),
    crash: async (node) => host.crash(node),
    partition: async (sides) => {
      const sideOf = new Map<number, number>()
      sides.forEach((side, group) => {
        for (const node of side) sideOf.set(node, group + 1)
      })
      network.partition((node) => sideOf.get(node) ?? 0, 'symmetric')
    },
    heal: async () => network.heal(),
    injectFrame: async (to, from, bytes) => host.injectFrame(to, ids[from] as NodeId, bytes),
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
