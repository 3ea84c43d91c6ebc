/**
 * NEAT crossover (Stanley & Miikkulainen 2002 §3.2, Fig. 4): genes are lined up by innovation number;
 * matching genes are inherited at random from either parent, disjoint and excess genes from the fitter
 * parent; a gene disabled in either parent is disabled in the child with probability
 * `disabledInheritance` (0.75).
 *
 * Departure: with equal fitness the paper takes disjoint and excess genes from both parents; here they
 * come from the smaller genome (as the reference code does for ties), which keeps the child's structure
 * that of one parent — never a cycle in a feed-forward run, never a duplicate connection.
 */
import type { Random } from '../../kernel/index.ts'
import type { ConnectionGene, Genome, NodeGene } from './genome.ts'

export interface Parent {
  readonly genome: Genome
  readonly fitness: number
}

/** Which of two parents donates structure: the fitter one, or on a tie the one with fewer genes. */
export function fitterOf(a: Parent, b: Parent): [Parent, Parent] {
  if (a.fitness !== b.fitness) return a.fitness > b.fitness ? [a, b] : [b, a]
  return a.genome.connections.length <= b.genome.connections.length ? [a, b] : [b, a]
}

export function crossover(
  first: Parent,
  second: Parent,
  options: { readonly disabledInheritance: number },
  random: Random,
): Genome {
  const [fitter, other] = fitterOf(first, second)
  const otherConnections = new Map(other.genome.connections.map((c) => [c.innovation, c]))
  const connections: ConnectionGene[] = fitter.genome.connections.map((gene) => {
    const match = otherConnections.get(gene.innovation)
    if (match === undefined) return gene
    const chosen = random.chance(0.5) ? gene : match
    const disabled = !gene.enabled || !match.enabled
    const enabled = disabled ? !random.chance(options.disabledInheritance) : true
    // structure (from, to) is identical for matching genes; only weight and flag are inherited
    return { ...gene, weight: chosen.weight, enabled }
  })
  const otherNodes = new Map(other.genome.nodes.map((n) => [n.id, n]))
  const nodes: NodeGene[] = fitter.genome.nodes.map((node) => {
    const match = otherNodes.get(node.id)
    if (match === undefined || node.kind === 'input' || node.kind === 'bias') return node
    return random.chance(0.5) ? node : { ...node, bias: match.bias, activation: match.activation }
  })
  return { nodes, connections }
}
