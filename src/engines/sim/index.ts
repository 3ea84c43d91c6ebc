export { SkewedClock } from './clock.ts'
export {
  DEFAULT_FAULT_MIX_BOUNDS,
  deriveFaultMix,
  describeFaultMix,
  type FaultMix,
  type FaultMixBounds,
} from './fault-mix.ts'
export {
  type MembershipReport,
  replayCommand,
  resolveScenario,
  runMembershipSimulation,
} from './membership/run.ts'
export { type MembershipScenario, SCENARIO_DEFAULTS } from './membership/scenario.ts'
export {
  type FaultRates,
  type LinkLatency,
  type NetworkOptions,
  type PartitionMode,
  SimNetwork,
} from './network.ts'
export { drawPartitionGroups, type PartitionKind } from './partition-groups.ts'
export {
  DEFAULT_MAX_PENDING_EVENTS,
  DEFAULT_TICK_MS,
  DEFAULT_WHEEL_SLOTS,
  type PayloadAction,
  type ScheduledAction,
  Scheduler,
  type SchedulerOptions,
} from './scheduler.ts'
export { SimHost, type SimHostOptions, type TrafficCounters } from './sim-host.ts'
export {
  runStateSimulation,
  STATE_SCENARIO_DEFAULTS,
  type StateReport,
  type StateScenario,
  stateReplay,
} from './state/state-simulation.ts'
