/**
 * Whether a generation solved its task, and which genome did.
 *
 * Tasks with a champion test (CartPole, DPNV) test one champion per generation, chosen as the NEAT
 * reference code does (`pole2_epoch` in NEAT 1.2.1's experiments.cpp): the champion of the best species —
 * by its best fitness this generation — whose champion has not been tested since the species last
 * improved, or of the best species when all have been. So a champion that failed is not retested while it
 * stays the fittest, and the next species gets its turn. (The paper's text speaks of "the champion";
 * testing only the population champion left 3 of 20 DPNV runs stalled at 60 generations where the
 * rotation left 1; docs/neuroevolution.md.) Other tasks are solved by the fittest genome whose evaluation
 * says `solved`.
 */
import type { Evaluation, EvaluationContext } from './evaluator.ts'
import type { Genome } from './genome.ts'
import { compileNetwork } from './network.ts'
import type { Species } from './speciation.ts'
import type { NeatTask } from './tasks/index.ts'

export interface Solution {
  /** The solving genome's index in the generation. */
  readonly index: number
  /** The champion test's figures (e.g. DPNV generalization), if there was a test. */
  readonly metrics: Readonly<Record<string, number>>
}

/** The generation's solution, if any, and the species with the tested one marked. */
export function findSolution(
  task: NeatTask,
  genomes: readonly Genome[],
  evaluations: readonly Evaluation[],
  species: readonly Species[],
  context: Omit<EvaluationContext, 'index'>,
): { solution: Solution | undefined; species: readonly Species[] } {
  if (task.championTest !== undefined) {
    const chosen = championToTest(
      species,
      evaluations.map((e) => e.fitness),
    )
    const network = compileNetwork(genomes[chosen.champion] as Genome, { recurrent: task.recurrent })
    const test = task.championTest(network, { ...context, index: chosen.champion })
    const marked = species.map((s, k) => (k === chosen.k ? { ...s, tested: true } : s))
    return {
      solution: test.solved ? { index: chosen.champion, metrics: test.metrics } : undefined,
      species: marked,
    }
  }
  let solverIndex = -1
  evaluations.forEach((evaluation, index) => {
    if (evaluation.metrics?.solved !== 1) return
    if (solverIndex < 0 || evaluation.fitness > (evaluations[solverIndex] as Evaluation).fitness)
      solverIndex = index
  })
  return { solution: solverIndex < 0 ? undefined : { index: solverIndex, metrics: {} }, species }
}

/**
 * Which champion the champion test gets this generation: that of the best species (by its best fitness)
 * not tested since it last improved, else that of the best species. `k` indexes `species`; `champion`
 * indexes the genomes.
 */
export function championToTest(
  species: readonly Species[],
  fitness: readonly number[],
): { readonly k: number; readonly champion: number } {
  const ranked = species.map((s, k) => {
    let best = s.members[0] as number
    for (const index of s.members) if ((fitness[index] as number) > (fitness[best] as number)) best = index
    return { k, champion: best }
  })
  ranked.sort((a, b) => (fitness[b.champion] as number) - (fitness[a.champion] as number) || a.k - b.k)
  return ranked.find((r) => !(species[r.k] as Species).tested) ?? (ranked[0] as (typeof ranked)[number])
}
