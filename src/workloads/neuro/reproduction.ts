/**
 * The next generation (Stanley & Miikkulainen 2002 §3.3–§4.1): each species keeps its champion when it
 * has more than `eliteSpeciesSize` members (the population's champion is always kept), the best
 * `survivalThreshold` of each species parents its share of offspring, a quarter of offspring come from
 * mutation alone, the rest from crossover — rarely (0.001) with a parent from another species.
 */
import type { Random } from '../../kernel/index.ts'
import type { NeatConfig } from './config.ts'
import { crossover, type Parent } from './crossover.ts'
import type { Genome } from './genome.ts'
import type { InnovationRegistry } from './innovation-registry.ts'
import { mutate } from './mutation.ts'
import type { Species } from './speciation.ts'

export function reproduce(
  genomes: readonly Genome[],
  fitness: readonly number[],
  species: readonly Species[],
  offspring: readonly number[],
  championIndex: number,
  config: NeatConfig,
  registry: InnovationRegistry,
  random: Random,
): Genome[] {
  const parentPools = species.map((s) => {
    const ranked = [...s.members].sort((a, b) => (fitness[b] as number) - (fitness[a] as number) || a - b)
    const keep = Math.max(1, Math.ceil(ranked.length * config.survivalThreshold))
    return ranked
      .slice(0, keep)
      .map((index): Parent => ({ genome: genomes[index] as Genome, fitness: fitness[index] as number }))
  })
  const next: Genome[] = []
  species.forEach((s, k) => {
    let count = offspring[k] as number
    const parents = parentPools[k] as Parent[]
    const champion = parents[0] as Parent
    if (count > 0 && (s.members.length > config.eliteSpeciesSize || s.members.includes(championIndex))) {
      next.push(champion.genome)
      count--
    }
    for (let i = 0; i < count; i++) next.push(breed(parents, parentPools, k, config, registry, random))
  })
  return next
}

function breed(
  parents: readonly Parent[],
  pools: readonly (readonly Parent[])[],
  own: number,
  config: NeatConfig,
  registry: InnovationRegistry,
  random: Random,
): Genome {
  const mother = random.pick(parents) as Parent
  if (random.chance(config.mutationOnlyRate)) return mutate(mother.genome, config, registry, random)
  let father: Parent | undefined
  if (pools.length > 1 && random.chance(config.interspeciesMatingRate)) {
    const others = pools.filter((_, k) => k !== own)
    father = random.pick(random.pick(others) as readonly Parent[])
  } else if (parents.length > 1) {
    father = random.pick(parents.filter((p) => p !== mother))
  }
  if (father === undefined) return mutate(mother.genome, config, registry, random)
  const child = crossover(mother, father, config, random)
  return config.mutateAfterCrossover ? mutate(child, config, registry, random) : child
}
