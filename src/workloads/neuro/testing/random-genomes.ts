/**
 * Random genomes for tests and benchmarks of evaluators: a fixed shape (inputs incl. bias → hidden →
 * outputs, inputs also wired straight to the outputs, self-loops when recurrent) with random weights and
 * biases, so that networks differ in behaviour but are always valid.
 */
import type { Random } from '../../../kernel/index.ts'
import type { ConnectionGene, Genome, NodeGene } from '../genome.ts'

export interface GenomeShape {
  /** Input count including the bias, which comes last. */
  readonly inputs: number
  readonly outputs: number
  readonly hidden: number
  /** Adds a self-loop on every output and hidden node and a link from each output back to each hidden. */
  readonly recurrent: boolean
  /** Weights and biases are uniform in ±scale (default 2). */
  readonly scale?: number
}

export function randomGenome(random: Random, shape: GenomeShape): Genome {
  const scale = shape.scale ?? 2
  const value = (): number => (random.float() * 2 - 1) * scale
  const nodes: NodeGene[] = []
  const add = (kind: NodeGene['kind']): number => {
    const id = nodes.length
    const computed = kind === 'hidden' || kind === 'output'
    nodes.push({
      id,
      kind,
      activation: computed ? 'steepened-sigmoid' : 'identity',
      bias: computed ? value() : 0,
    })
    return id
  }
  const inputs = Array.from({ length: shape.inputs }, (_, k) =>
    add(k === shape.inputs - 1 ? 'bias' : 'input'),
  )
  const outputs = Array.from({ length: shape.outputs }, () => add('output'))
  const hidden = Array.from({ length: shape.hidden }, () => add('hidden'))
  const connections: ConnectionGene[] = []
  const link = (from: number, to: number): void => {
    connections.push({ innovation: connections.length, from, to, weight: value(), enabled: true })
  }
  for (const input of inputs) for (const output of outputs) link(input, output)
  for (const input of inputs) for (const node of hidden) link(input, node)
  for (const node of hidden) for (const output of outputs) link(node, output)
  if (shape.recurrent) {
    for (const node of [...outputs, ...hidden]) link(node, node)
    for (const output of outputs) for (const node of hidden) link(output, node)
  }
  return { nodes, connections }
}
