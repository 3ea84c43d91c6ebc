import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createsCycle, type Genome, genomeProblem, hasCycle } from './genome.ts'
import { InnovationRegistry } from './innovation-registry.ts'

const node = (id: number, kind: 'input' | 'bias' | 'hidden' | 'output') =>
  ({ id, kind, activation: 'steepened-sigmoid', bias: 0 }) as const
const link = (innovation: number, from: number, to: number, enabled = true) =>
  ({ innovation, from, to, weight: 0.5, enabled }) as const

/** Inputs 0 and 1, bias 2, output 3, hidden 4 splitting 0 → 3. */
const genome: Genome = {
  nodes: [node(0, 'input'), node(1, 'input'), node(2, 'bias'), node(3, 'output'), node(4, 'hidden')],
  connections: [link(0, 0, 3, false), link(1, 1, 3), link(2, 2, 3), link(3, 0, 4), link(4, 4, 3)],
}

describe('genomes', () => {
  it('accepts a sound feed-forward genome', () => {
    assert.equal(genomeProblem(genome, { recurrent: false }), undefined)
    assert.equal(hasCycle(genome), false)
  })

  it('names what is wrong with a malformed genome', () => {
    const withConnections = (connections: Genome['connections']): Genome => ({ ...genome, connections })
    assert.match(
      genomeProblem(withConnections([...genome.connections, link(5, 3, 0)]), { recurrent: true }) ?? '',
      /into input/,
    )
    assert.match(
      genomeProblem(withConnections([...genome.connections, link(5, 0, 9)]), { recurrent: true }) ?? '',
      /missing node/,
    )
    assert.match(
      genomeProblem(withConnections([...genome.connections, link(5, 1, 3)]), { recurrent: true }) ?? '',
      /two connections/,
    )
    assert.match(
      genomeProblem(withConnections([link(1, 1, 3), link(0, 2, 3)]), { recurrent: true }) ?? '',
      /ascending/,
    )
    assert.match(
      genomeProblem({ ...genome, nodes: [...genome.nodes, node(4, 'hidden')] }, { recurrent: true }) ?? '',
      /node ids/,
    )
  })

  it('refuses a cycle in a feed-forward genome but not in a recurrent one', () => {
    const cyclic = { ...genome, connections: [...genome.connections, link(5, 3, 4)] }
    assert.match(genomeProblem(cyclic, { recurrent: false }) ?? '', /cycle/)
    assert.equal(genomeProblem(cyclic, { recurrent: true }), undefined)
  })

  it('knows which new connection would close a cycle', () => {
    assert.equal(createsCycle(genome, 3, 4), true)
    assert.equal(createsCycle(genome, 4, 4), true)
    assert.equal(createsCycle(genome, 1, 4), false)
  })
})

describe('innovation registry', () => {
  it('gives the same mutation the same number within a generation, and a new one after', () => {
    const registry = new InnovationRegistry(10, 5)
    const first = registry.connection(0, 3)
    assert.equal(registry.connection(0, 3), first)
    assert.notEqual(registry.connection(1, 3), first)
    registry.nextGeneration()
    assert.notEqual(registry.connection(0, 3), first)
  })

  it('splits a connection into the same node and connections for every genome of a generation', () => {
    const registry = new InnovationRegistry(10, 5)
    const split = registry.split(1, 1, 3)
    assert.deepEqual(registry.split(1, 1, 3), split)
    assert.equal(split.node, 5)
    assert.deepEqual([split.inInnovation, split.outInnovation], [10, 11])
    assert.deepEqual(registry.counters, { nextInnovation: 12, nextNode: 6 })
  })
})
