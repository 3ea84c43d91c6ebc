/**
 * Checkpoints: an experiment's settings, its finished runs, and the state of the run in progress, as one
 * versioned JSON file. Saved atomically (a temporary file renamed over the old one), so a crash leaves
 * either the previous checkpoint or the new one, never half of one. Loading checks everything first —
 * format, version, settings, every genome (through the network file's validation) — and refuses an
 * incompatible file with a message instead of half-loading it (neat-python's v1 checkpoints silently
 * failing under v2 is the defect avoided; shared/reference/neuroevolution.md §5).
 *
 * Because generation g draws only from the run seed's stream for g, resuming from a checkpoint gives
 * exactly the run that would have happened without the interruption.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { type NeatConfig, NeatConfigError, neatConfig } from './config.ts'
import type { Champion, EvolutionState, RunResult } from './evolution.ts'
import type { Genome } from './genome.ts'
import { exportNetwork, importNetwork, NetworkFormatError } from './network-format.ts'
import { isTaskName, type TaskName } from './tasks/index.ts'

export const CHECKPOINT_FORMAT = 'meshwork-neat-checkpoint'
export const CHECKPOINT_VERSION = 1

/** What fixes an experiment: resuming with different settings would be a different experiment. */
export interface ExperimentSettings {
  readonly task: TaskName
  readonly initialAngleRad?: number
  readonly seed: number
  readonly runs: number
  readonly config: NeatConfig
}

export interface Checkpoint {
  readonly settings: ExperimentSettings
  readonly completed: readonly RunResult[]
  /** The run in progress (run number `completed.length`), at the start of a generation. */
  readonly current?: EvolutionState
}

/** A checkpoint file that cannot be used; nothing of it has been applied. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError'
}

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  const recurrent = checkpoint.settings.config.recurrent
  const genome = (g: Genome) => exportNetwork(g, { recurrent })
  const champion = (c: Champion) => ({ ...c, genome: genome(c.genome) })
  const document = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    settings: checkpoint.settings,
    completed: checkpoint.completed.map((r) => ({ ...r, champion: champion(r.champion) })),
    ...(checkpoint.current && {
      current: {
        ...checkpoint.current,
        genomes: checkpoint.current.genomes.map(genome),
        species: checkpoint.current.species.map((s) => ({
          ...s,
          representative: genome(s.representative),
          // JSON has no −Infinity: a species that has not been scored yet
          bestFitness: Number.isFinite(s.bestFitness) ? s.bestFitness : null,
        })),
        ...(checkpoint.current.best && { best: champion(checkpoint.current.best) }),
      },
    }),
  }
  return `${JSON.stringify(document)}\n`
}

export function decodeCheckpoint(text: string): Checkpoint {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CheckpointError(`not valid JSON (truncated?): ${(error as Error).message}`)
  }
  const doc = record(json, 'checkpoint')
  if (doc.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`not a Meshwork checkpoint (format ${JSON.stringify(doc.format)})`)
  }
  if (doc.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint version ${JSON.stringify(doc.version)} cannot be resumed by this Meshwork (it reads version ${CHECKPOINT_VERSION}); start a new run`,
    )
  }
  const settings = readSettings(record(doc.settings, 'settings'))
  const recurrent = settings.config.recurrent
  const genome = (value: unknown, path: string): Genome => {
    try {
      const imported = importNetwork(value)
      if (imported.recurrent !== recurrent)
        throw new NetworkFormatError('recurrent does not match the settings')
      return imported.genome
    } catch (error) {
      throw new CheckpointError(`${path}: ${(error as Error).message}`)
    }
  }
  const champion = (value: unknown, path: string): Champion => {
    const raw = record(value, path)
    return {
      genome: genome(raw.genome, `${path}.genome`),
      fitness: finite(raw.fitness, `${path}.fitness`),
      metrics: numbers(raw.metrics, `${path}.metrics`),
      generation: integer(raw.generation, `${path}.generation`),
    }
  }
  const completed = list(doc.completed, 'completed').map((value, i): RunResult => {
    const path = `completed[${i}]`
    const raw = record(value, path)
    return {
      seed: integer(raw.seed, `${path}.seed`),
      solved: raw.solved === true,
      generations: integer(raw.generations, `${path}.generations`),
      evaluations: integer(raw.evaluations, `${path}.evaluations`),
      champion: champion(raw.champion, `${path}.champion`),
      hiddenNodes: integer(raw.hiddenNodes, `${path}.hiddenNodes`),
      enabledConnections: integer(raw.enabledConnections, `${path}.enabledConnections`),
      wallMs: finite(raw.wallMs, `${path}.wallMs`),
    }
  })
  if (completed.length > settings.runs) throw new CheckpointError(`completed: more runs than settings.runs`)
  if (doc.current === undefined) return { settings, completed }
  const raw = record(doc.current, 'current')
  const genomes = list(raw.genomes, 'current.genomes').map((g, i) => genome(g, `current.genomes[${i}]`))
  if (genomes.length === 0) throw new CheckpointError('current.genomes: empty population')
  const current: EvolutionState = {
    seed: integer(raw.seed, 'current.seed'),
    generation: integer(raw.generation, 'current.generation'),
    genomes,
    species: list(raw.species, 'current.species').map((value, i) => {
      const path = `current.species[${i}]`
      const s = record(value, path)
      return {
        id: integer(s.id, `${path}.id`),
        representative: genome(s.representative, `${path}.representative`),
        bestFitness:
          s.bestFitness === null ? Number.NEGATIVE_INFINITY : finite(s.bestFitness, `${path}.bestFitness`),
        lastImproved: integer(s.lastImproved, `${path}.lastImproved`),
        tested: s.tested === true,
      }
    }),
    nextSpeciesId: integer(raw.nextSpeciesId, 'current.nextSpeciesId'),
    threshold: finite(raw.threshold, 'current.threshold'),
    nextInnovation: integer(raw.nextInnovation, 'current.nextInnovation'),
    nextNode: integer(raw.nextNode, 'current.nextNode'),
    evaluations: integer(raw.evaluations, 'current.evaluations'),
    elapsedMs: finite(raw.elapsedMs, 'current.elapsedMs'),
    ...(raw.best !== undefined && { best: champion(raw.best, 'current.best') }),
  }
  if (current.seed !== settings.seed + completed.length) {
    throw new CheckpointError(`current.seed: ${current.seed} is not run ${completed.length}'s seed`)
  }
  return { settings, completed, current }
}

/** Writes `checkpoint` to `path` atomically. */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, encodeCheckpoint(checkpoint))
  await rename(temporary, path)
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`)
  }
  try {
    return decodeCheckpoint(text)
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(`${path}: ${error.message}`)
    throw error
  }
}

function readSettings(raw: Record<string, unknown>): ExperimentSettings {
  const task = raw.task
  if (typeof task !== 'string' || !isTaskName(task)) {
    throw new CheckpointError(`settings.task: unknown task ${JSON.stringify(task)}`)
  }
  let config: NeatConfig
  try {
    config = neatConfig(record(raw.config, 'settings.config') as Partial<NeatConfig>)
  } catch (error) {
    if (error instanceof NeatConfigError) throw new CheckpointError(`settings.config: ${error.message}`)
    throw error
  }
  return {
    task,
    ...(raw.initialAngleRad !== undefined && {
      initialAngleRad: finite(raw.initialAngleRad, 'settings.initialAngleRad'),
    }),
    seed: integer(raw.seed, 'settings.seed'),
    runs: integer(raw.runs, 'settings.runs'),
    config,
  }
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CheckpointError(`${path}: expected an object`)
  }
  return value as Record<string, unknown>
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new CheckpointError(`${path}: expected an array`)
  return value
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CheckpointError(`${path}: expected a finite number, got ${JSON.stringify(value)}`)
  }
  return value
}

function integer(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value))
    throw new CheckpointError(`${path}: expected an integer, got ${JSON.stringify(value)}`)
  return value as number
}

function numbers(value: unknown, path: string): Record<string, number> {
  const raw = record(value, path)
  for (const [key, metric] of Object.entries(raw)) finite(metric, `${path}.${key}`)
  return raw as Record<string, number>
}
