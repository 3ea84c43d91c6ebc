/**
 * NEAT settings. Defaults are the NEAT paper's (Stanley & Miikkulainen 2002 §4.1; reference §2) where the
 * paper gives a value: compatibility c1 = c2 = 1, c3 = 0.4, threshold 3; stagnation 15 generations;
 * champions of species with more than 5 members kept; 80 % of genomes get weight mutations, 90 % of those
 * perturbations and 10 % replacements; 75 % disabled-gene inheritance; 25 % mutation-only offspring;
 * interspecies mating 0.001; add node 0.03, add connection 0.05; steepened sigmoid.
 *
 * Departures, each a setting: perturbations are Gaussian (the paper's were uniform), weights and biases
 * are clamped to ±`weightLimit`; every non-input node has a bias mutated like a weight; the
 * compatibility threshold adapts toward `targetSpecies` (the paper held it fixed) — set
 * `thresholdStep` to 0 for the paper's fixed threshold.
 */

export interface NeatConfig {
  readonly population: number
  /** Allow connections that close cycles (evaluated one step per activation). */
  readonly recurrent: boolean
  /** Compatibility δ = c1·E/N + c2·D/N + c3·W̄. */
  readonly c1: number
  readonly c2: number
  readonly c3: number
  /** Initial compatibility threshold δt. */
  readonly threshold: number
  /** The threshold moves by this share of itself per generation toward `targetSpecies` (0: fixed). */
  readonly thresholdStep: number
  readonly thresholdMin: number
  readonly targetSpecies: number
  /** A species whose best fitness has not improved in this many generations may not reproduce. */
  readonly stagnation: number
  /** The best this many species (by best fitness) are exempt from stagnation. */
  readonly protectedSpecies: number
  /** Species with more than this many members keep their champion unchanged. */
  readonly eliteSpeciesSize: number
  /** Share of each species (best first) allowed to parent offspring. */
  readonly survivalThreshold: number
  /** Probability that a genome's weights (and biases) are mutated. */
  readonly weightMutationRate: number
  /** Given a weight mutation, the share of weights and biases that change (the paper: all). */
  readonly weightMutationShare: number
  /** Per weight, given a weight mutation: perturb with this probability, else replace. */
  readonly weightPerturbRate: number
  /** Whether hidden and output nodes evolve their own bias (else only the bias input's connections). */
  readonly nodeBias: boolean
  /** Standard deviation of a Gaussian perturbation. */
  readonly weightPerturbPower: number
  /** Standard deviation of a replacement weight (and of initial weights). */
  readonly weightInitSd: number
  readonly weightLimit: number
  readonly addNodeRate: number
  readonly addConnectionRate: number
  /** Probability that one connection's enable flag is flipped. */
  readonly toggleEnableRate: number
  /** A gene disabled in either parent is disabled in the child with this probability. */
  readonly disabledInheritance: number
  /** Share of offspring made by mutation alone. */
  readonly mutationOnlyRate: number
  /** Probability that crossover picks the second parent from another species. */
  readonly interspeciesMatingRate: number
  /** Whether offspring of crossover are mutated too. */
  readonly mutateAfterCrossover: boolean
  /** Turns speciation off (one species; the paper's Table 3 ablation). */
  readonly speciation: boolean
  /** Generations before a run counts as a failure (the paper's cap). */
  readonly maxGenerations: number
}

export const NEAT_DEFAULTS: NeatConfig = Object.freeze({
  population: 150,
  recurrent: false,
  c1: 1,
  c2: 1,
  c3: 0.4,
  threshold: 3,
  thresholdStep: 0.1,
  thresholdMin: 0.3,
  targetSpecies: 10,
  stagnation: 15,
  protectedSpecies: 2,
  eliteSpeciesSize: 5,
  survivalThreshold: 0.2,
  weightMutationRate: 0.8,
  weightMutationShare: 1,
  weightPerturbRate: 0.9,
  nodeBias: true,
  weightPerturbPower: 0.5,
  weightInitSd: 1,
  weightLimit: 8,
  addNodeRate: 0.03,
  addConnectionRate: 0.05,
  toggleEnableRate: 0,
  disabledInheritance: 0.75,
  mutationOnlyRate: 0.25,
  interspeciesMatingRate: 0.001,
  mutateAfterCrossover: true,
  speciation: true,
  maxGenerations: 1000,
})

/** A setting that cannot work, named in the message. */
export class NeatConfigError extends Error {
  override readonly name = 'NeatConfigError'
}

const RATES = [
  'survivalThreshold',
  'weightMutationRate',
  'weightMutationShare',
  'weightPerturbRate',
  'addNodeRate',
  'addConnectionRate',
  'toggleEnableRate',
  'disabledInheritance',
  'mutationOnlyRate',
  'interspeciesMatingRate',
] as const satisfies readonly (keyof NeatConfig)[]

const NON_NEGATIVE = [
  'c1',
  'c2',
  'c3',
  'thresholdStep',
  'weightPerturbPower',
  'weightInitSd',
] as const satisfies readonly (keyof NeatConfig)[]

/** The defaults overlaid with `overrides`, checked; throws `NeatConfigError` naming the bad setting. */
export function neatConfig(overrides: Partial<NeatConfig> = {}): NeatConfig {
  for (const key of Object.keys(overrides)) {
    if (!(key in NEAT_DEFAULTS)) throw new NeatConfigError(`unknown setting '${key}'`)
  }
  const config: NeatConfig = { ...NEAT_DEFAULTS, ...overrides }
  const integer = (key: keyof NeatConfig, min: number): void => {
    const value = config[key]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new NeatConfigError(`${key} must be an integer ≥ ${min}, got ${String(value)}`)
    }
  }
  integer('population', 2)
  integer('targetSpecies', 1)
  integer('stagnation', 1)
  integer('protectedSpecies', 1)
  integer('eliteSpeciesSize', 0)
  integer('maxGenerations', 1)
  for (const key of RATES) {
    const value = config[key]
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new NeatConfigError(`${key} is a probability and must be in [0, 1], got ${String(value)}`)
    }
  }
  for (const key of NON_NEGATIVE) {
    const value = config[key]
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new NeatConfigError(`${key} must be a finite number ≥ 0, got ${String(value)}`)
    }
  }
  for (const key of ['threshold', 'thresholdMin', 'weightLimit'] as const) {
    const value = config[key]
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new NeatConfigError(`${key} must be a finite number > 0, got ${String(value)}`)
    }
  }
  if (config.survivalThreshold === 0) throw new NeatConfigError('survivalThreshold must be above 0')
  for (const key of ['recurrent', 'mutateAfterCrossover', 'speciation', 'nodeBias'] as const) {
    if (typeof config[key] !== 'boolean') throw new NeatConfigError(`${key} must be true or false`)
  }
  return config
}
