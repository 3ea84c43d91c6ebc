/**
 * The public library surface of the `meshwork` package (`import … from 'meshwork'`): the membership core
 * and the kernel types it speaks, a node on the real network (`startNode`), the deterministic simulator's
 * membership runner, the typed client of a node's control API, and the NEAT engine as `neat`
 * (docs/neuroevolution.md). Everything else under `src/` is internal and may change without notice.
 *
 * `startNode` loads the libp2p engine on its first call rather than when this module is imported, so a
 * program that only simulates or talks to a node's API does not load libp2p and QUIC's native addon.
 */
import type { Libp2pNode } from './engines/libp2p/index.ts'
import type { NodeOptions } from './node/index.ts'

export {
  ApiError,
  type ApiErrorCode,
  DEFAULT_API_URL,
  getMembers,
  getStatus,
  isApiError,
  postFaults,
  type RequestOptions,
  streamEvents,
} from './api/index.ts'
export type { Libp2pNode } from './engines/libp2p/index.ts'
export type { MembershipReport } from './engines/sim/membership/run.ts'
export { replayCommand, resolveScenario, runMembershipSimulation } from './engines/sim/membership/run.ts'
export { type MembershipScenario, SCENARIO_DEFAULTS } from './engines/sim/membership/scenario.ts'
export {
  type Clock,
  CONNECTION_CLASSES,
  type ConnectionClass,
  err,
  isMeshError,
  MeshError,
  type MeshErrorCode,
  type Millis,
  minutes,
  type NodeId,
  ok,
  Random,
  type Result,
  type Seed,
  seconds,
} from './kernel/index.ts'
export type {
  FaultSpec,
  LinkShape,
  MembersView,
  MemberView,
  NodeMetrics,
  NodeOptions,
  NodeState,
  NodeStatus,
  RunningNode,
} from './node/index.ts'
export type { Core } from './protocols/core.ts'
export {
  decodeMessage,
  encodeMessage,
  HOSTILE_CONFIG,
  LAN_CONFIG,
  type MemberProfile,
  type MemberRecord,
  type MemberState,
  Membership,
  type MembershipConfig,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipInit,
  type MembershipMessage,
  type MembershipStats,
  type MemberUpdate,
  MOBILE_CONFIG,
  membershipConfig,
  type Outgoing,
  PRESETS,
  WAN_CONFIG,
} from './protocols/membership/index.ts'

export * as neat from './workloads/neuro/index.ts'

/** Starts a Meshwork node on the real network (libp2p over TCP and QUIC) and joins it through `seeds`. */
export async function startNode(options: NodeOptions): Promise<Libp2pNode> {
  const engine = await import('./engines/libp2p/index.ts')
  return engine.startNode(options)
}
