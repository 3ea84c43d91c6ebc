import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Genome } from './genome.ts'
import { compileNetwork } from './network.ts'
import { connectionGene, nodeGene } from './testing/genes.ts'

const node = nodeGene
const link = connectionGene

describe('compiled networks', () => {
  it('compute exactly the genome graph: a hand-built XOR of two ReLU units', () => {
    // inputs 0, 1, bias 2; hidden 4 = relu(a + b), hidden 5 = relu(a + b − 1); output 3 = h4 − 2·h5
    const genome: Genome = {
      nodes: [
        node(0, 'input'),
        node(1, 'input'),
        node(2, 'bias'),
        node(3, 'output'),
        node(4, 'hidden', 'relu'),
        node(5, 'hidden', 'relu'),
      ],
      connections: [
        link(0, 0, 4, 1),
        link(1, 1, 4, 1),
        link(2, 0, 5, 1),
        link(3, 1, 5, 1),
        link(4, 2, 5, -1),
        link(5, 4, 3, 1),
        link(6, 5, 3, -2),
      ],
    }
    const network = compileNetwork(genome, { recurrent: false })
    const xor = (a: number, b: number): number => network.activate([a, b, 1])[0] as number
    assert.deepEqual([xor(0, 0), xor(0, 1), xor(1, 0), xor(1, 1)], [0, 1, 1, 0])
  })

  it('ignores disabled connections and uses node biases and activations', () => {
    const genome: Genome = {
      nodes: [node(0, 'input'), node(1, 'output', 'steepened-sigmoid', 0.5)],
      connections: [link(0, 0, 1, 100, false)],
    }
    const out = compileNetwork(genome, { recurrent: false }).activate([1])[0] as number
    assert.ok(Math.abs(out - 1 / (1 + Math.exp(-4.9 * 0.5))) < 1e-12)
  })

  it('evaluates hidden nodes in dependency order, whatever their ids', () => {
    // output 1 ← hidden 3 ← hidden 2 ← input 0: 3 is created after 2 but feeds from it
    const genome: Genome = {
      nodes: [node(0, 'input'), node(1, 'output'), node(2, 'hidden'), node(3, 'hidden')],
      connections: [link(0, 0, 2, 2), link(1, 2, 3, 3), link(2, 3, 1, 5)],
    }
    assert.equal(compileNetwork(genome, { recurrent: false }).activate([1])[0], 30)
  })

  it('steps a recurrent network once per activation and forgets on reset', () => {
    const genome: Genome = {
      nodes: [node(0, 'input'), node(1, 'output')],
      connections: [link(0, 0, 1, 1), link(1, 1, 1, 1)],
    }
    const network = compileNetwork(genome, { recurrent: true })
    assert.deepEqual(
      [1, 2, 3].map(() => network.activate([1])[0]),
      [1, 2, 3],
    )
    network.reset()
    assert.equal(network.activate([1])[0], 1)
  })

  it('refuses a cyclic genome in feed-forward mode and a wrong number of inputs', () => {
    const genome: Genome = {
      nodes: [node(0, 'input'), node(1, 'output')],
      connections: [link(0, 0, 1, 1), link(1, 1, 1, 1)],
    }
    assert.throws(() => compileNetwork(genome, { recurrent: false }), /cycle/)
    assert.throws(() => compileNetwork(genome, { recurrent: true }).activate([1, 2]), /takes 1 inputs/)
  })
})
