/** The NEAT engine's public surface (docs/neuroevolution.md). */
export {
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  type ExperimentSettings,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.ts'
export { NEAT_DEFAULTS, type NeatConfig, NeatConfigError, neatConfig } from './config.ts'
export {
  type BatchEvaluator,
  checkEvaluation,
  type Evaluation,
  type EvaluationContext,
  EvaluationError,
  type EvaluationJob,
  type FitnessFunction,
  InlineEvaluator,
} from './evaluator.ts'
export {
  type Champion,
  type EvolutionOptions,
  type EvolutionState,
  evolve,
  type GenerationReport,
  initialState,
  type RunResult,
} from './evolution.ts'
export {
  bestChampion,
  type ExperimentOptions,
  type ExperimentSummary,
  experimentTask,
  runExperiment,
  taskConfig,
} from './experiment.ts'
export type { ConnectionGene, Genome, NodeGene } from './genome.ts'
export { compileNetwork, type Network } from './network.ts'
export {
  exportNetwork,
  type ImportedNetwork,
  importNetwork,
  type NetworkDocument,
  NetworkFormatError,
  parseNetworkFile,
} from './network-format.ts'
export { jsonLinesReporter, progressBarReporter, type Reporter, silentReporter } from './reporters.ts'
export {
  createTask,
  isTaskName,
  type NeatTask,
  TASK_NAMES,
  type TaskName,
  type TaskOptions,
} from './tasks/index.ts'
export { builtInTaskFitness, type FitnessModule, WorkerPoolEvaluator } from './worker-pool-evaluator.ts'
