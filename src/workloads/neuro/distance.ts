/**
 * Compatibility distance (Stanley & Miikkulainen 2002 §3.3, eq. 1): δ = c1·E/N + c2·D/N + c3·W̄, where E
 * and D count excess and disjoint connection genes, W̄ is the mean weight difference of matching genes,
 * and N is the number of genes in the larger genome (1 when both have fewer than 20, as the paper allows).
 *
 * Departure: because every node carries a bias here, matching hidden and output nodes count as matching
 * genes in W̄ with their bias difference.
 */
import type { Genome } from './genome.ts'

export interface DistanceCoefficients {
  readonly c1: number
  readonly c2: number
  readonly c3: number
}

const SMALL_GENOME = 20

export function compatibilityDistance(a: Genome, b: Genome, k: DistanceCoefficients): number {
  const ac = a.connections
  const bc = b.connections
  let i = 0
  let j = 0
  let disjoint = 0
  let matching = 0
  let weightDifference = 0
  // both lists are sorted by innovation: one merge pass
  while (i < ac.length && j < bc.length) {
    const x = ac[i] as (typeof ac)[number]
    const y = bc[j] as (typeof bc)[number]
    if (x.innovation === y.innovation) {
      matching++
      weightDifference += Math.abs(x.weight - y.weight)
      i++
      j++
    } else if (x.innovation < y.innovation) {
      disjoint++
      i++
    } else {
      disjoint++
      j++
    }
  }
  const excess = ac.length - i + (bc.length - j)
  const bNodes = new Map<number, number>()
  for (const node of b.nodes)
    if (node.kind === 'hidden' || node.kind === 'output') bNodes.set(node.id, node.bias)
  for (const node of a.nodes) {
    const bias = bNodes.get(node.id)
    if (bias === undefined || node.kind === 'input' || node.kind === 'bias') continue
    matching++
    weightDifference += Math.abs(node.bias - bias)
  }
  const larger = Math.max(ac.length, bc.length)
  const n = larger < SMALL_GENOME ? 1 : larger
  const meanDifference = matching === 0 ? 0 : weightDifference / matching
  return (k.c1 * excess) / n + (k.c2 * disjoint) / n + k.c3 * meanDifference
}
