/**
 * Speciation (Stanley & Miikkulainen 2002 §3.3): each genome joins the first species whose
 * representative (a random member of the previous generation) is within the compatibility threshold,
 * or founds a new one. Species protect new structure while its weights are tuned; explicit fitness
 * sharing then gives each species offspring in proportion to its members' mean fitness, and a species
 * that has not improved its best fitness for `stagnation` generations gets none (unless it is one of the
 * `protectedSpecies` best, which always include the champion's).
 *
 * Departure: the threshold adapts toward `targetSpecies` (as neat-python and SharpNEAT do) instead of
 * staying fixed, so one setting serves populations of 150 and 1,000.
 */
import type { Random } from '../../kernel/index.ts'
import type { NeatConfig } from './config.ts'
import { compatibilityDistance } from './distance.ts'
import type { Genome } from './genome.ts'

/** What a species carries from one generation to the next. */
export interface SpeciesRecord {
  readonly id: number
  readonly representative: Genome
  /** The best fitness any member has reached. */
  readonly bestFitness: number
  /** The generation in which `bestFitness` last rose. */
  readonly lastImproved: number
  /** Whether its champion has had the task's champion test since `bestFitness` last rose. */
  readonly tested: boolean
}

export interface Species extends SpeciesRecord {
  /** Indices into the generation's genomes, in ascending order. */
  readonly members: readonly number[]
}

export interface Speciation {
  readonly species: readonly Species[]
  readonly nextSpeciesId: number
  readonly threshold: number
}

/**
 * Assigns every genome to a species and updates each species' record with this generation's fitness.
 * Empty species disappear; new ones take ids from `nextSpeciesId`.
 */
export function speciate(
  genomes: readonly Genome[],
  fitness: readonly number[],
  previous: readonly SpeciesRecord[],
  state: { readonly nextSpeciesId: number; readonly threshold: number },
  config: NeatConfig,
  generation: number,
  random: Random,
): Speciation {
  const groups = previous.map((record) => ({ record, members: [] as number[] }))
  let nextSpeciesId = state.nextSpeciesId
  genomes.forEach((genome, index) => {
    if (!config.speciation) {
      if (groups.length === 0)
        groups.push({ record: newRecord(nextSpeciesId++, genome, generation), members: [] })
      ;(groups[0] as (typeof groups)[number]).members.push(index)
      return
    }
    for (const group of groups) {
      if (compatibilityDistance(genome, group.record.representative, config) < state.threshold) {
        group.members.push(index)
        return
      }
    }
    groups.push({ record: newRecord(nextSpeciesId++, genome, generation), members: [index] })
  })
  const species: Species[] = []
  for (const { record, members } of groups) {
    if (members.length === 0) continue
    let best = Number.NEGATIVE_INFINITY
    for (const index of members) best = Math.max(best, fitness[index] as number)
    const improved = best > record.bestFitness
    species.push({
      id: record.id,
      representative: genomes[random.pick(members) as number] as Genome,
      bestFitness: improved ? best : record.bestFitness,
      lastImproved: improved ? generation : record.lastImproved,
      tested: improved ? false : record.tested,
      members,
    })
  }
  return { species, nextSpeciesId, threshold: adaptThreshold(state.threshold, species.length, config) }
}

function newRecord(id: number, representative: Genome, generation: number): SpeciesRecord {
  return {
    id,
    representative,
    bestFitness: Number.NEGATIVE_INFINITY,
    lastImproved: generation,
    tested: false,
  }
}

/** One step toward the target species count. */
export function adaptThreshold(threshold: number, speciesCount: number, config: NeatConfig): number {
  if (!config.speciation || config.thresholdStep === 0) return threshold
  if (speciesCount < config.targetSpecies)
    return Math.max(config.thresholdMin, threshold - config.thresholdStep)
  if (speciesCount > config.targetSpecies) return threshold + config.thresholdStep
  return threshold
}

/**
 * Offspring per species (same order as `species`): stagnant species get none unless they hold the
 * champion; the rest share the population in proportion to their mean fitness (explicit fitness sharing:
 * Σ fᵢ/|S| over a species), rounded by largest remainder so the total is exactly `population`.
 */
export function allocateOffspring(
  species: readonly Species[],
  fitness: readonly number[],
  championIndex: number,
  config: NeatConfig,
  generation: number,
): number[] {
  // the best few species (the champion's always among them) never stagnate, so the population survives a plateau
  const ranked = species
    .map((s, k) => ({
      k,
      best: s.members.includes(championIndex) ? Number.POSITIVE_INFINITY : s.bestFitness,
    }))
    .sort((a, b) => b.best - a.best || a.k - b.k)
  const protectedSpecies = new Set(ranked.slice(0, config.protectedSpecies).map((r) => r.k))
  const shares = species.map((s, k) => {
    const stagnant = generation - s.lastImproved >= config.stagnation
    if (stagnant && !protectedSpecies.has(k)) return 0
    let sum = 0
    for (const index of s.members) sum += fitness[index] as number
    // a floor keeps an all-zero species (every member failed at once) eligible when everyone is at zero
    return sum / s.members.length + Number.MIN_VALUE
  })
  const total = shares.reduce((a, b) => a + b, 0)
  const exact = shares.map((share) => (total > 0 ? (share / total) * config.population : 0))
  const counts = exact.map(Math.floor)
  let left = config.population - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((value, i) => ({ i, remainder: value - Math.floor(value) }))
  order.sort((a, b) => b.remainder - a.remainder || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    if ((shares[i] as number) === 0) continue
    counts[i] = (counts[i] as number) + 1
    left--
  }
  // the champion's species always gets at least the champion's copy, taken from the largest share
  const own = species.findIndex((s) => s.members.includes(championIndex))
  if (own >= 0 && counts[own] === 0) {
    const largest = counts.indexOf(Math.max(...counts))
    counts[largest] = (counts[largest] as number) - 1
    counts[own] = 1
  }
  return counts
}
