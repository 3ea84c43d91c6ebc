/**
 * The worker-thread side of `WorkerPoolEvaluator`: piscina calls `evaluateShared` once per worker per
 * batch. Functions cannot cross a thread boundary, so the fitness function arrives as a description — the
 * URL of an ES module, the name of a factory it exports, and plain options — and is built once per worker.
 *
 * The batch is packed once into shared memory (`packBatch`: the jobs as one Float64Array, an offset per
 * job, and a cursor), and every worker claims the next job with an atomic increment of the cursor until
 * none is left — self-scheduling one job at a time, so the workers finish together without the main
 * thread handing out chunks (on two cores, a worker waiting for the main thread to be scheduled was the
 * pool's largest loss). Structured cloning of genome objects, the alternative, cost about a tenth of a
 * DPNV batch's time. Failures come back as plain values rather than thrown errors: structured cloning
 * keeps an error's message but not its class, so the main thread rebuilds the `EvaluationError`.
 */
import {
  type Evaluation,
  EvaluationError,
  type EvaluationJob,
  evaluateJob,
  type FitnessFunction,
} from './evaluator.ts'
import { ACTIVATIONS, type Activation, type ConnectionGene, type NodeGene, type NodeKind } from './genome.ts'

/** Where a worker finds a fitness function: `(await import(module))[export](options)`. */
export interface FitnessModule {
  /** URL of an ES module (file: URL for local modules). */
  readonly module: string
  /** Name of an exported factory `(options) => FitnessFunction`. */
  readonly export: string
  /** Passed to the factory; must survive structured cloning. */
  readonly options: unknown
}

/** One batch in shared memory, as `packBatch` lays it out. */
export interface SharedBatch {
  /** The jobs, packed as `packBatch` describes. */
  readonly words: Float64Array
  /** Job i starts at `words[offsets[i]]`; `offsets.length` is the job count. */
  readonly offsets: Int32Array
  /** `cursor[0]`: the next job to claim. */
  readonly cursor: Int32Array
}

export interface SharedTask extends SharedBatch {
  readonly fitness: FitnessModule
  readonly recurrent: boolean
}

export type SharedResult =
  | {
      readonly ok: true
      /** Job indices this worker evaluated, and their evaluations in the same order. */
      readonly indices: number[]
      readonly evaluations: Evaluation[]
    }
  /** `evaluation`: a fitness function failed (→ EvaluationError); `setup`: it could not be built. */
  | {
      readonly ok: false
      readonly kind: 'evaluation' | 'setup'
      readonly message: string
      readonly index: number
    }

const KINDS: readonly NodeKind[] = ['input', 'bias', 'hidden', 'output']
const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as Activation[]
const JOB_HEADER = 5
const NODE_WORDS = 4
const CONNECTION_WORDS = 5

/**
 * The batch in shared memory, a cursor at 0. Jobs are packed into one Float64Array: per job seed, generation, index, node count, connection count, then
 * id, kind, activation, bias per node and innovation, from, to, weight, enabled per connection (kinds and
 * activations as codes), each job's start in `offsets`. Lossless: every other field is a JS number,
 * stored as the same double.
 */
export function packBatch(jobs: readonly EvaluationJob[]): SharedBatch {
  let length = 0
  const offsets = new Int32Array(new SharedArrayBuffer(Math.max(1, jobs.length) * 4)).subarray(0, jobs.length)
  jobs.forEach(({ genome }, i) => {
    offsets[i] = length
    length += JOB_HEADER + NODE_WORDS * genome.nodes.length + CONNECTION_WORDS * genome.connections.length
  })
  const words = new Float64Array(new SharedArrayBuffer(length * 8))
  let at = 0
  for (const { genome, context } of jobs) {
    words.set(
      [context.seed, context.generation, context.index, genome.nodes.length, genome.connections.length],
      at,
    )
    at += JOB_HEADER
    for (const node of genome.nodes) {
      const kind = KINDS.indexOf(node.kind)
      const activation = ACTIVATION_NAMES.indexOf(node.activation)
      if (kind < 0 || activation < 0) {
        throw new EvaluationError(
          `genome ${context.index} of generation ${context.generation} has node ${node.id} of unknown ` +
            `kind '${node.kind}' or activation '${node.activation}'`,
        )
      }
      words[at++] = node.id
      words[at++] = kind
      words[at++] = activation
      words[at++] = node.bias
    }
    for (const connection of genome.connections) {
      words[at++] = connection.innovation
      words[at++] = connection.from
      words[at++] = connection.to
      words[at++] = connection.weight
      words[at++] = connection.enabled ? 1 : 0
    }
  }
  return { words, offsets, cursor: new Int32Array(new SharedArrayBuffer(4)) }
}

/** The job packed at `at`, and where the next begins; typed fully, so a new gene field fails to compile. */
export function decodeJob(packed: Float64Array, start: number): { job: EvaluationJob; next: number } {
  const word = (at: number): number => packed[at] as number
  let at = start
  const context = { seed: word(at), generation: word(at + 1), index: word(at + 2) }
  const nodeCount = word(at + 3)
  const connectionCount = word(at + 4)
  at += JOB_HEADER
  const nodes: NodeGene[] = []
  for (let k = 0; k < nodeCount; k++, at += NODE_WORDS) {
    const node: NodeGene = {
      id: word(at),
      kind: KINDS[word(at + 1)] as NodeKind,
      activation: ACTIVATION_NAMES[word(at + 2)] as Activation,
      bias: word(at + 3),
    }
    nodes.push(node)
  }
  const connections: ConnectionGene[] = []
  for (let k = 0; k < connectionCount; k++, at += CONNECTION_WORDS) {
    const connection: ConnectionGene = {
      innovation: word(at),
      from: word(at + 1),
      to: word(at + 2),
      weight: word(at + 3),
      enabled: word(at + 4) === 1,
    }
    connections.push(connection)
  }
  return { job: { genome: { nodes, connections }, context }, next: at }
}

/**
 * Built fitness functions by descriptor. A pool serves one descriptor, so a handful is plenty; the
 * oldest is dropped beyond that (counted in `fitnessCacheEvictions`).
 */
const FITNESS_CACHE_LIMIT = 8
const fitnessCache = new Map<string, Promise<FitnessFunction>>()
export let fitnessCacheEvictions = 0

async function buildFitness(descriptor: FitnessModule): Promise<FitnessFunction> {
  const loaded = (await import(descriptor.module)) as Record<string, unknown>
  const factory = loaded[descriptor.export]
  if (typeof factory !== 'function') {
    throw new TypeError(`${descriptor.module} has no exported function '${descriptor.export}'`)
  }
  const fitness: unknown = factory(descriptor.options)
  if (typeof fitness !== 'function') {
    throw new TypeError(`${descriptor.module}#${descriptor.export} did not return a fitness function`)
  }
  return fitness as FitnessFunction
}

function fitnessFor(descriptor: FitnessModule): Promise<FitnessFunction> {
  const key = `${descriptor.module}#${descriptor.export}#${JSON.stringify(descriptor.options)}`
  let fitness = fitnessCache.get(key)
  if (fitness === undefined) {
    fitness = buildFitness(descriptor)
    if (fitnessCache.size >= FITNESS_CACHE_LIMIT) {
      fitnessCache.delete(fitnessCache.keys().next().value as string)
      fitnessCacheEvictions++
    }
    fitnessCache.set(key, fitness)
  }
  return fitness
}

/**
 * Claims and evaluates jobs of the shared batch until none is left. On a failure it moves the cursor to
 * the end, so the other workers stop after the job they hold; every job before the failing one has been
 * claimed by then and will be evaluated, so the earliest failure of the batch is among those reported.
 */
export async function evaluateShared(task: SharedTask): Promise<SharedResult> {
  const count = task.offsets.length
  let fitness: FitnessFunction
  try {
    fitness = await fitnessFor(task.fitness)
  } catch (error) {
    Atomics.store(task.cursor, 0, count)
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, kind: 'setup', message, index: -1 }
  }
  const indices: number[] = []
  const evaluations: Evaluation[] = []
  for (let index = Atomics.add(task.cursor, 0, 1); index < count; index = Atomics.add(task.cursor, 0, 1)) {
    const { job } = decodeJob(task.words, task.offsets[index] as number)
    try {
      evaluations.push(await evaluateJob(fitness, job, task.recurrent))
      indices.push(index)
    } catch (error) {
      Atomics.store(task.cursor, 0, count)
      const message = error instanceof Error ? error.message : String(error)
      return { ok: false, kind: error instanceof EvaluationError ? 'evaluation' : 'setup', message, index }
    }
  }
  return { ok: true, indices, evaluations }
}
