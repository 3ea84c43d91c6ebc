/**
 * The phenotype: exactly the genome's graph, compiled into typed arrays for fast activation. No layers
 * are imposed and no connection is invented (earlier implementations that squash genomes into layers
 * change what was evolved; shared/reference/neuroevolution.md §5).
 *
 * Inputs: the genome's input and bias nodes, in id order, take the given input values in that order (a
 * task passes its bias constant as the last input, as the NEAT paper's tasks do).
 *
 * - Feed-forward: non-input nodes are evaluated once each, in a topological order of the enabled
 *   connections (Kahn's algorithm, ties broken by node id, so the order is deterministic);
 *   node value = activation(bias + Σ weight · source value).
 * - Recurrent: one synchronous step per activation: every non-input node is computed from the values of
 *   the previous step, so a signal crosses one connection per step; `reset()` zeroes the state.
 */
import { ACTIVATIONS, type Activation, type Genome, hasCycle } from './genome.ts'

export interface Network {
  readonly inputCount: number
  readonly outputCount: number
  /** Output values, in output-node id order. The returned array is reused by the next call. */
  activate(inputs: ArrayLike<number>): Float64Array
  /** Clears the recurrent state (no-op for feed-forward networks). */
  reset(): void
}

export function compileNetwork(genome: Genome, options: { readonly recurrent: boolean }): Network {
  if (
    !options.recurrent &&
    hasCycle({ ...genome, connections: genome.connections.filter((c) => c.enabled) })
  ) {
    throw new RangeError('a feed-forward network cannot be compiled from a genome with a cycle')
  }
  const inputIds = genome.nodes.filter((n) => n.kind === 'input' || n.kind === 'bias').map((n) => n.id)
  const outputIds = genome.nodes.filter((n) => n.kind === 'output').map((n) => n.id)
  const computed = options.recurrent
    ? genome.nodes.filter((n) => n.kind === 'hidden' || n.kind === 'output').map((n) => n.id)
    : topologicalOrder(genome)
  // slots: inputs first, then computed nodes in evaluation order
  const slot = new Map<number, number>()
  for (const id of [...inputIds, ...computed]) slot.set(id, slot.size)
  const byId = new Map(genome.nodes.map((n) => [n.id, n]))
  const incoming = new Map<number, { source: number; weight: number }[]>()
  for (const c of genome.connections) {
    if (!c.enabled) continue
    const list = incoming.get(c.to) ?? []
    list.push({ source: slot.get(c.from) as number, weight: c.weight })
    incoming.set(c.to, list)
  }
  // compressed rows: node k's incoming edges are sources/weights[offsets[k] .. offsets[k + 1])
  const offsets = new Int32Array(computed.length + 1)
  const sources: number[] = []
  const weights: number[] = []
  const biases = new Float64Array(computed.length)
  const activations: ((x: number) => number)[] = []
  computed.forEach((id, k) => {
    const node = byId.get(id)
    biases[k] = node?.bias ?? 0
    activations.push(ACTIVATIONS[(node?.activation ?? 'identity') as Activation])
    for (const edge of incoming.get(id) ?? []) {
      sources.push(edge.source)
      weights.push(edge.weight)
    }
    offsets[k + 1] = sources.length
  })
  return new CompiledNetwork({
    inputCount: inputIds.length,
    outputSlots: Int32Array.from(outputIds, (id) => slot.get(id) as number),
    offsets,
    sources: Int32Array.from(sources),
    weights: Float64Array.from(weights),
    biases,
    activations,
    recurrent: options.recurrent,
  })
}

/** Non-input nodes in an order where every node comes after the sources of its enabled connections. */
function topologicalOrder(genome: Genome): number[] {
  const computed = genome.nodes.filter((n) => n.kind === 'hidden' || n.kind === 'output').map((n) => n.id)
  const pending = new Map<number, number>(computed.map((id) => [id, 0]))
  const outgoing = new Map<number, number[]>()
  for (const c of genome.connections) {
    if (!c.enabled || !pending.has(c.to)) continue
    if (pending.has(c.from)) pending.set(c.to, (pending.get(c.to) as number) + 1)
    const list = outgoing.get(c.from) ?? []
    list.push(c.to)
    outgoing.set(c.from, list)
  }
  const ready = computed.filter((id) => pending.get(id) === 0)
  const order: number[] = []
  while (ready.length > 0) {
    ready.sort((a, b) => a - b)
    const id = ready.shift() as number
    order.push(id)
    for (const next of outgoing.get(id) ?? []) {
      const left = (pending.get(next) as number) - 1
      pending.set(next, left)
      if (left === 0) ready.push(next)
    }
  }
  return order
}

interface CompiledParts {
  readonly inputCount: number
  readonly outputSlots: Int32Array
  readonly offsets: Int32Array
  readonly sources: Int32Array
  readonly weights: Float64Array
  readonly biases: Float64Array
  readonly activations: readonly ((x: number) => number)[]
  readonly recurrent: boolean
}

class CompiledNetwork implements Network {
  readonly inputCount: number
  readonly outputCount: number
  private readonly parts: CompiledParts
  private values: Float64Array
  private next: Float64Array
  private readonly outputs: Float64Array

  constructor(parts: CompiledParts) {
    this.parts = parts
    this.inputCount = parts.inputCount
    this.outputCount = parts.outputSlots.length
    const slots = parts.inputCount + parts.biases.length
    this.values = new Float64Array(slots)
    this.next = new Float64Array(slots)
    this.outputs = new Float64Array(this.outputCount)
  }

  activate(inputs: ArrayLike<number>): Float64Array {
    const { inputCount, offsets, sources, weights, biases, activations, recurrent, outputSlots } = this.parts
    if (inputs.length !== inputCount) {
      throw new RangeError(`this network takes ${inputCount} inputs (bias included), got ${inputs.length}`)
    }
    const read = this.values
    const write = recurrent ? this.next : this.values
    for (let i = 0; i < inputCount; i++) {
      read[i] = inputs[i] as number
      write[i] = inputs[i] as number
    }
    for (let k = 0; k < biases.length; k++) {
      let sum = biases[k] as number
      for (let e = offsets[k] as number; e < (offsets[k + 1] as number); e++) {
        sum += (weights[e] as number) * (read[sources[e] as number] as number)
      }
      write[inputCount + k] = (activations[k] as (x: number) => number)(sum)
    }
    if (recurrent) {
      this.next = this.values
      this.values = write
    }
    for (let o = 0; o < outputSlots.length; o++)
      this.outputs[o] = this.values[outputSlots[o] as number] as number
    return this.outputs
  }

  reset(): void {
    this.values.fill(0)
    this.next.fill(0)
  }
}
