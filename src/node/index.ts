export { LINK_MODELS, type LinkModel, type LinkShape, validateLinkShape } from './link-models.ts'
export type {
  FaultSpec,
  MembersView,
  MemberView,
  NodeMetrics,
  NodeOptions,
  NodeState,
  NodeStatus,
  RunningNode,
} from './running-node.ts'
