/** Terse gene constructors for tests that build genomes by hand. */
import type { ConnectionGene, NodeGene } from '../genome.ts'

export function nodeGene(
  id: number,
  kind: NodeGene['kind'],
  activation: NodeGene['activation'] = 'identity',
  bias = 0,
): NodeGene {
  return { id, kind, activation, bias }
}

export function connectionGene(
  innovation: number,
  from: number,
  to: number,
  weight: number,
  enabled = true,
): ConnectionGene {
  return { innovation, from, to, weight, enabled }
}
