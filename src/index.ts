/**
 * The public library surface of the `meshwork` package (`import … from 'meshwork'`): a node on the real
 * network (`startNode`), the MeshNode and the protocol-module contract it composes, the membership
 * module, the kernel types they speak, the deterministic simulator's membership runner, and the typed
 * client of a node's control API with the API's own types. The NEAT engine is its own entry point,
 * `meshwork/neat` (docs/neuroevolution.md), so that workloads can import this surface without a cycle.
 * Everything else under `src/` is internal and may change without notice.
 *
 * `startNode` loads the libp2p engine on its first call rather than when this module is imported, so a
 * program that only simulates or talks to a node's API does not load libp2p and QUIC's native addon.
 */
import type { Libp2pDriver } from './engines/libp2p/index.ts'
import type { NodeOptions } from './node/index.ts'

export {
  ApiError,
  type ApiErrorCode,
  DEFAULT_API_URL,
  type FaultSpec,
  getMembers,
  getStatus,
  isApiError,
  type LinkShape,
  type MemberProfile,
  type MembersView,
  type MemberView,
  type NodeEvent,
  type NodeStatus,
  postFaults,
  type RequestOptions,
  streamEvents,
} from './api/index.ts'
export type { Libp2pDriver } from './engines/libp2p/index.ts'
export {
  type MembershipReport,
  type MembershipScenario,
  replayCommand,
  resolveScenario,
  runMembershipSimulation,
  SCENARIO_DEFAULTS,
} from './engines/sim/index.ts'
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
  type Signer,
  StandInSigner,
  seconds,
} from './kernel/index.ts'
export {
  LINK_MODELS,
  type LinkModel,
  MeshNode,
  type MeshNodeInit,
  type NodeEvent as MeshNodeEvent,
  type NodeOptions,
  type NodeStatus as RunningNodeStatus,
  nodeModules,
  type Outbound,
  type RunningNode,
} from './node/index.ts'
export {
  type AnyModule,
  type Core,
  type DeliveryPolicy,
  type EngineHint,
  type EventSource,
  type MessageCodec,
  type MetricSample,
  type ModuleContext,
  type ModuleSurface,
  type ProtocolModule,
  subscribe,
} from './protocols/index.ts'
export {
  decodeMessage,
  encodeMessage,
  HOSTILE_CONFIG,
  LAN_CONFIG,
  MEMBERSHIP_EVENTS,
  MEMBERSHIP_PROTOCOL,
  type MemberRecord,
  type MemberState,
  Membership,
  type MembershipConfig,
  type MembershipEvent,
  type MembershipEventType,
  type MembershipInit,
  type MembershipMessage,
  type MembershipSettings,
  type MembershipStats,
  type MemberUpdate,
  MOBILE_CONFIG,
  membershipConfig,
  membershipModule,
  type Outgoing,
  PRESETS,
  WAN_CONFIG,
} from './protocols/membership/index.ts'

/** Starts a Meshwork node on the real network (libp2p over TCP and QUIC) and joins it through `seeds`. */
export async function startNode(options: NodeOptions): Promise<Libp2pDriver> {
  const engine = await import('./engines/libp2p/index.ts')
  return engine.startNode(options)
}
