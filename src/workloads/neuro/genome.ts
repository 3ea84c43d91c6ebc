/**
 * NEAT genomes (Stanley & Miikkulainen 2002 §3.1): node genes and connection genes, each connection
 * carrying the historical marking (innovation number) that lets crossover line up matching genes and
 * speciation measure distance. Genomes are immutable values; operators return new ones.
 *
 * Departure from the paper: every non-input node carries its own bias and activation (as neat-python
 * does) rather than a bias input wired to every node; the bias input is kept as well, because the paper's
 * tasks feed a constant input (XOR's 1, the double pole's 0.5).
 */

export type NodeKind = 'input' | 'bias' | 'hidden' | 'output'

/** NEAT's steepened sigmoid is the default; the others serve tasks that want them. */
export type Activation = 'steepened-sigmoid' | 'sigmoid' | 'tanh' | 'relu' | 'identity'

export interface NodeGene {
  readonly id: number
  readonly kind: NodeKind
  readonly activation: Activation
  readonly bias: number
}

export interface ConnectionGene {
  /** Historical marking: the same structural mutation gets the same number (see `InnovationRegistry`). */
  readonly innovation: number
  readonly from: number
  readonly to: number
  readonly weight: number
  readonly enabled: boolean
}

export interface Genome {
  /** Sorted by id: inputs, then the bias, then outputs, then hidden nodes in order of creation. */
  readonly nodes: readonly NodeGene[]
  /** Sorted by innovation number. */
  readonly connections: readonly ConnectionGene[]
}

export const ACTIVATIONS: Readonly<Record<Activation, (x: number) => number>> = Object.freeze({
  'steepened-sigmoid': (x: number) => 1 / (1 + Math.exp(-4.9 * x)),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x: number) => Math.max(0, x),
  identity: (x: number) => x,
})

/**
 * Why `genome` is malformed, or undefined when it is sound: unique sorted node ids and innovations,
 * connections between existing nodes, none into an input or the bias, no duplicate (from, to) pair, and
 * for a feed-forward genome no cycle.
 */
export function genomeProblem(genome: Genome, options: { readonly recurrent: boolean }): string | undefined {
  const kinds = new Map<number, NodeKind>()
  let previousId = Number.NEGATIVE_INFINITY
  for (const node of genome.nodes) {
    if (!Number.isInteger(node.id) || node.id <= previousId)
      return `node ids must be unique and ascending (at ${node.id})`
    if (!Number.isFinite(node.bias)) return `node ${node.id} has a non-finite bias`
    if (!Object.hasOwn(ACTIVATIONS, node.activation))
      return `node ${node.id} has an unknown activation '${node.activation}'`
    kinds.set(node.id, node.kind)
    previousId = node.id
  }
  let previousInnovation = Number.NEGATIVE_INFINITY
  const pairs = new Set<string>()
  for (const connection of genome.connections) {
    const { innovation, from, to } = connection
    if (!Number.isInteger(innovation) || innovation <= previousInnovation) {
      return `innovation numbers must be unique and ascending (at ${innovation})`
    }
    previousInnovation = innovation
    if (!kinds.has(from) || !kinds.has(to)) return `connection ${innovation} refers to a missing node`
    const target = kinds.get(to)
    if (target === 'input' || target === 'bias')
      return `connection ${innovation} leads into ${target} node ${to}`
    if (!Number.isFinite(connection.weight)) return `connection ${innovation} has a non-finite weight`
    const pair = `${from}>${to}`
    if (pairs.has(pair)) return `two connections from ${from} to ${to}`
    pairs.add(pair)
  }
  if (!options.recurrent && hasCycle(genome)) return 'a feed-forward genome has a cycle'
  return undefined
}

/** Whether the connections (enabled or not: a disabled gene may be re-enabled) form a cycle. */
export function hasCycle(genome: Genome): boolean {
  const outgoing = outgoingEdges(genome)
  const state = new Map<number, 'visiting' | 'done'>()
  const visit = (node: number): boolean => {
    const seen = state.get(node)
    if (seen === 'visiting') return true
    if (seen === 'done') return false
    state.set(node, 'visiting')
    for (const next of outgoing.get(node) ?? []) if (visit(next)) return true
    state.set(node, 'done')
    return false
  }
  return genome.nodes.some((node) => visit(node.id))
}

/** Whether adding `from → to` would close a cycle (a path already leads from `to` back to `from`). */
export function createsCycle(genome: Genome, from: number, to: number): boolean {
  if (from === to) return true
  const outgoing = outgoingEdges(genome)
  const stack = [to]
  const seen = new Set<number>()
  while (stack.length > 0) {
    const node = stack.pop() as number
    if (node === from) return true
    if (seen.has(node)) continue
    seen.add(node)
    stack.push(...(outgoing.get(node) ?? []))
  }
  return false
}

function outgoingEdges(genome: Genome): Map<number, number[]> {
  const outgoing = new Map<number, number[]>()
  for (const { from, to } of genome.connections) {
    const list = outgoing.get(from)
    if (list === undefined) outgoing.set(from, [to])
    else list.push(to)
  }
  return outgoing
}
