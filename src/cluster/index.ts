export { type ClusterNodeRecord, type ClusterState, readState, STATE_FILE } from './cluster-state.ts'
export { type FollowEnd, type FollowOptions, followClusterEvents } from './follow-events.ts'
export {
  DEFAULT_BASE_PORT,
  DEFAULT_CLUSTER_DIR,
  down,
  heal,
  kill,
  type NodeReport,
  type NodeRunState,
  partition,
  restart,
  status,
  type UpOptions,
  up,
  waitForConvergence,
} from './orchestrator.ts'
