export type { JsonObject, JsonValue, MetricSample } from '../protocols/index.ts'
export { LINK_MODELS, type LinkModel, type LinkShape, validateLinkShape } from './link-models.ts'
export {
  type FrameRejection,
  MeshNode,
  type MeshNodeInit,
  type MeshNodeStats,
  type NodeEvent,
  type Outbound,
} from './mesh-node.ts'
export { type ModuleOptions, nodeModules } from './node-modules.ts'
export {
  ReplicatedState,
  SNAPSHOT_INTERVAL_MS,
  STATE_MODULE,
  type StateHost,
  type StateReading,
  stateValue,
} from './replicated-state.ts'
export type {
  BaseNodeStatus,
  FaultSpec,
  NodeLog,
  NodeOptions,
  NodeState,
  NodeStatus,
  RunningNode,
  StateService,
} from './running-node.ts'
