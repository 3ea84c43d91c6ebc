/**
 * The generational NEAT loop: evaluate the population (through whatever `BatchEvaluator` is given),
 * check for a solution, speciate, allocate offspring by shared fitness, reproduce. One seed fixes a run:
 * generation g draws only from the stream `fork('generation:g')` of the run's seed, and evaluation
 * results depend only on the genome and its context, so the same seed gives the same champion whatever
 * evaluates it — and a run resumed from a checkpoint continues exactly as if it had never stopped.
 *
 * Evaluations are counted per genome evaluated, whole generations at a time, as the NEAT paper counts
 * them (32 generations of 150 ≈ 4,755). The per-generation champion test (solution.ts) is not counted,
 * as in the paper's protocol.
 */
import { setImmediate } from 'node:timers/promises'
import { Random } from '../../kernel/index.ts'
import type { NeatConfig } from './config.ts'
import type { BatchEvaluator, Evaluation, EvaluationContext } from './evaluator.ts'
import type { ConnectionGene, Genome, NodeGene } from './genome.ts'
import { InnovationRegistry } from './innovation-registry.ts'
import { clamp } from './mutation.ts'
import { reproduce } from './reproduction.ts'
import { findSolution } from './solution.ts'
import { allocateOffspring, type SpeciesRecord, speciate } from './speciation.ts'
import type { NeatTask } from './tasks/index.ts'

/** Everything needed to continue a run: what a checkpoint stores. */
export interface EvolutionState {
  readonly seed: number
  /** The generation about to be evaluated. */
  readonly generation: number
  readonly genomes: readonly Genome[]
  readonly species: readonly SpeciesRecord[]
  readonly nextSpeciesId: number
  readonly threshold: number
  readonly nextInnovation: number
  readonly nextNode: number
  readonly evaluations: number
  /** Wall time spent on this run so far, across resumptions. */
  readonly elapsedMs: number
  readonly best?: Champion
}

export interface Champion {
  readonly genome: Genome
  readonly fitness: number
  readonly metrics: Readonly<Record<string, number>>
  readonly generation: number
}

export interface GenerationReport {
  readonly seed: number
  readonly generation: number
  readonly evaluations: number
  readonly bestFitness: number
  readonly meanFitness: number
  readonly species: number
  readonly threshold: number
  readonly championHiddenNodes: number
  readonly solved: boolean
}

export interface RunResult {
  readonly seed: number
  readonly solved: boolean
  /** Generations evaluated (the solving one included). */
  readonly generations: number
  readonly evaluations: number
  /** The solver when solved, else the best genome seen. */
  readonly champion: Champion
  readonly hiddenNodes: number
  readonly enabledConnections: number
  readonly wallMs: number
}

export interface EvolutionOptions {
  readonly task: NeatTask
  readonly config: NeatConfig
  readonly evaluator: BatchEvaluator
  readonly onGeneration?: (report: GenerationReport) => void
  /** Called with the state at the start of every generation (before evaluation); may be async. */
  readonly onState?: (state: EvolutionState) => void | Promise<void>
  readonly signal?: AbortSignal
}

/** The initial population: every input (bias included) connected to every output, random weights. */
export function initialState(task: NeatTask, config: NeatConfig, seed: number): EvolutionState {
  const random = new Random(seed).fork('initial')
  const nodes: NodeGene[] = []
  for (let i = 0; i < task.inputs; i++) {
    nodes.push({ id: i, kind: i === task.inputs - 1 ? 'bias' : 'input', activation: 'identity', bias: 0 })
  }
  for (let o = 0; o < task.outputs; o++) {
    nodes.push({ id: task.inputs + o, kind: 'output', activation: 'steepened-sigmoid', bias: 0 })
  }
  const genomes: Genome[] = []
  for (let g = 0; g < config.population; g++) {
    const connections: ConnectionGene[] = []
    for (let o = 0; o < task.outputs; o++) {
      for (let i = 0; i < task.inputs; i++) {
        connections.push({
          innovation: o * task.inputs + i,
          from: i,
          to: task.inputs + o,
          weight: clamp(random.normal() * config.weightInitSd, config.weightLimit),
          enabled: true,
        })
      }
    }
    genomes.push({ nodes, connections })
  }
  return {
    seed,
    generation: 0,
    genomes,
    species: [],
    nextSpeciesId: 0,
    threshold: config.threshold,
    nextInnovation: task.inputs * task.outputs,
    nextNode: task.inputs + task.outputs,
    evaluations: 0,
    elapsedMs: 0,
  }
}

/** Runs from `start` until solved, the generation cap, or `signal` aborts (then the last state is kept). */
export async function evolve(start: EvolutionState, options: EvolutionOptions): Promise<RunResult> {
  const { task, config, evaluator } = options
  const began = performance.now() - start.elapsedMs
  let state = start
  const root = new Random(state.seed)
  for (;;) {
    // an inline evaluator never leaves the microtask queue: give signals, timers and I/O their turn
    await setImmediate()
    await options.onState?.(state)
    options.signal?.throwIfAborted()
    const generation = state.generation
    const context: Omit<EvaluationContext, 'index'> = {
      seed: root.fork(`evaluation:${generation}`).nextU32(),
      generation,
    }
    const evaluations = await evaluator.evaluate(
      state.genomes.map((genome, index) => ({ genome, context: { ...context, index } })),
    )
    const fitness = evaluations.map((e) => e.fitness)
    const evaluated = state.evaluations + state.genomes.length
    const championIndex = bestIndex(evaluations)
    const generationChampion = champion(state, evaluations, championIndex)
    const random = root.fork(`generation:${generation}`)
    const speciated = speciate(state.genomes, fitness, state.species, state, config, generation, random)
    const found = findSolution(task, state.genomes, evaluations, speciated.species, context)
    const speciation = { ...speciated, species: found.species }
    const solverEntry = found.solution && champion(state, evaluations, found.solution.index)
    const solver: Champion | undefined = solverEntry && {
      ...solverEntry,
      metrics: { ...solverEntry.metrics, ...found.solution?.metrics },
    }
    const best =
      solver ??
      (state.best === undefined || generationChampion.fitness > state.best.fitness
        ? generationChampion
        : state.best)
    options.onGeneration?.({
      seed: state.seed,
      generation,
      evaluations: evaluated,
      bestFitness: generationChampion.fitness,
      meanFitness: fitness.reduce((a, b) => a + b, 0) / fitness.length,
      species: speciation.species.length,
      threshold: state.threshold,
      championHiddenNodes: hiddenNodes(generationChampion.genome),
      solved: solver !== undefined,
    })
    if (solver !== undefined || generation + 1 >= config.maxGenerations) {
      return result(state.seed, solver !== undefined, generation + 1, evaluated, best, began)
    }
    const registry = new InnovationRegistry(state.nextInnovation, state.nextNode)
    const offspring = allocateOffspring(speciation.species, fitness, championIndex, config, generation)
    const genomes = reproduce(
      state.genomes,
      fitness,
      speciation.species,
      offspring,
      championIndex,
      config,
      registry,
      random,
    )
    state = {
      seed: state.seed,
      generation: generation + 1,
      genomes,
      species: speciation.species.map(({ id, representative, bestFitness, lastImproved, tested }) => ({
        id,
        representative,
        bestFitness,
        lastImproved,
        tested,
      })),
      nextSpeciesId: speciation.nextSpeciesId,
      threshold: speciation.threshold,
      ...registry.counters,
      evaluations: evaluated,
      elapsedMs: performance.now() - began,
      best,
    }
  }
}

/** The index of the highest fitness (the first on ties). */
function bestIndex(evaluations: readonly Evaluation[]): number {
  let best = 0
  for (let i = 1; i < evaluations.length; i++) {
    if ((evaluations[i] as Evaluation).fitness > (evaluations[best] as Evaluation).fitness) best = i
  }
  return best
}

function champion(state: EvolutionState, evaluations: readonly Evaluation[], index: number): Champion {
  const evaluation = evaluations[index] as Evaluation
  return {
    genome: state.genomes[index] as Genome,
    fitness: evaluation.fitness,
    metrics: evaluation.metrics ?? {},
    generation: state.generation,
  }
}

export function hiddenNodes(genome: Genome): number {
  return genome.nodes.filter((n) => n.kind === 'hidden').length
}

function result(
  seed: number,
  solved: boolean,
  generations: number,
  evaluations: number,
  best: Champion,
  began: number,
): RunResult {
  return {
    seed,
    solved,
    generations,
    evaluations,
    champion: best,
    hiddenNodes: hiddenNodes(best.genome),
    enabledConnections: best.genome.connections.filter((c) => c.enabled).length,
    wallMs: performance.now() - began,
  }
}
