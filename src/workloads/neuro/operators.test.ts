import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { neatConfig } from './config.ts'
import { crossover } from './crossover.ts'
import { compatibilityDistance } from './distance.ts'
import { initialState } from './evolution.ts'
import { type Genome, genomeProblem } from './genome.ts'
import { InnovationRegistry } from './innovation-registry.ts'
import { addConnection, addNode, mutate, mutateWeights, toggleEnable } from './mutation.ts'
import { createTask } from './tasks/index.ts'

/** A lineage grown by `steps` rounds of mutation with high structural rates, as evolution would. */
function grown(
  seed: number,
  steps: number,
  recurrent: boolean,
): { genome: Genome; registry: InnovationRegistry } {
  const config = neatConfig({ recurrent, addNodeRate: 0.3, addConnectionRate: 0.5, toggleEnableRate: 0.2 })
  const start = initialState(createTask('xor'), config, seed)
  const registry = new InnovationRegistry(start.nextInnovation, start.nextNode)
  const random = new Random(seed).fork('grow')
  let genome = start.genomes[0] as Genome
  for (let i = 0; i < steps; i++) {
    genome = mutate(genome, config, registry, random)
    if (i % 3 === 0) registry.nextGeneration()
  }
  return { genome, registry }
}

const seeds = fc.integer({ min: 0, max: 1_000_000 })

describe('mutation', () => {
  for (const recurrent of [false, true]) {
    it(`keeps ${recurrent ? 'recurrent' : 'feed-forward'} genomes valid through long mutation sequences`, () => {
      let mostHidden = 0
      fc.assert(
        fc.property(seeds, fc.integer({ min: 1, max: 60 }), (seed, steps) => {
          const { genome } = grown(seed, steps, recurrent)
          assert.equal(genomeProblem(genome, { recurrent }), undefined)
          mostHidden = Math.max(mostHidden, genome.nodes.filter((n) => n.kind === 'hidden').length)
        }),
        { numRuns: 150 },
      )
      assert.ok(mostHidden >= 5, `the lineages barely grew (at most ${mostHidden} hidden nodes)`)
    })
  }

  it('never changes its input genome', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { genome, registry } = grown(seed, 20, false)
        const before = JSON.stringify(genome)
        const config = neatConfig({ addNodeRate: 1, addConnectionRate: 1 })
        mutate(genome, config, registry, new Random(seed))
        mutateWeights(genome, config, new Random(seed))
        toggleEnable(genome, config, new Random(seed))
        assert.equal(JSON.stringify(genome), before)
      }),
      { numRuns: 50 },
    )
  })

  it('splits a connection into two with weights 1 and the old weight, disabling the old one', () => {
    const config = neatConfig()
    const start = initialState(createTask('xor'), config, 1).genomes[0] as Genome
    const registry = new InnovationRegistry(3, 4)
    const child = addNode(start, registry, new Random(3))
    assert.equal(child.nodes.length, start.nodes.length + 1)
    const disabled = child.connections.filter((c) => !c.enabled)
    assert.equal(disabled.length, 1)
    const old = disabled[0] as (typeof disabled)[number]
    const into = child.connections.find((c) => c.to === 4 && c.from === old.from)
    const out = child.connections.find((c) => c.from === 4 && c.to === old.to)
    assert.equal(into?.weight, 1)
    assert.equal(out?.weight, old.weight)
  })

  it('gives the same structural mutation the same numbers within a generation', () => {
    const config = neatConfig()
    const parent = initialState(createTask('xor'), config, 1).genomes[0] as Genome
    const registry = new InnovationRegistry(3, 4)
    // the same random stream picks the same connection to split in both children
    const a = addNode(parent, registry, new Random(5))
    const b = addNode(parent, registry, new Random(5))
    assert.deepEqual(
      a.connections.map((c) => c.innovation),
      b.connections.map((c) => c.innovation),
    )
    assert.deepEqual(
      a.nodes.map((n) => n.id),
      b.nodes.map((n) => n.id),
    )
    registry.nextGeneration()
    const c = addNode(parent, registry, new Random(5))
    assert.notDeepEqual(
      c.nodes.map((n) => n.id),
      a.nodes.map((n) => n.id),
    )
  })

  it('adds no cycle to a feed-forward genome, and may add a self-loop to a recurrent one', () => {
    const ff = neatConfig({ recurrent: false })
    const rec = neatConfig({ recurrent: true })
    let selfLoop = false
    for (let seed = 0; seed < 200; seed++) {
      const { genome, registry } = grown(seed, 5, false)
      const a = addConnection(genome, ff, registry, new Random(seed))
      assert.equal(genomeProblem(a, { recurrent: false }), undefined)
      const b = addConnection(genome, rec, registry, new Random(seed))
      if (b.connections.some((c) => c.from === c.to)) selfLoop = true
    }
    assert.ok(selfLoop, 'no self-loop in 200 recurrent additions')
  })

  it('keeps weights within the limit', () => {
    const config = neatConfig({ weightPerturbPower: 50, weightLimit: 3 })
    const { genome } = grown(9, 30, false)
    const mutated = mutateWeights(genome, config, new Random(2))
    for (const c of mutated.connections) assert.ok(Math.abs(c.weight) <= 3)
    for (const n of mutated.nodes) assert.ok(Math.abs(n.bias) <= 3)
  })
})

describe('crossover', () => {
  it('keeps every matching gene, takes structure from the fitter parent, and stays valid', () => {
    fc.assert(
      fc.property(seeds, seeds, fc.boolean(), (s1, s2, recurrent) => {
        // two relatives: one lineage, then diverging mutations
        const base = grown(s1, 10, recurrent)
        const config = neatConfig({ recurrent, addNodeRate: 0.3, addConnectionRate: 0.5 })
        let a = base.genome
        let b = base.genome
        const random = new Random(s2)
        for (let i = 0; i < 8; i++) {
          a = mutate(a, config, base.registry, random)
          b = mutate(b, config, base.registry, random)
        }
        const child = crossover({ genome: a, fitness: 2 }, { genome: b, fitness: 1 }, config, random)
        assert.equal(genomeProblem(child, { recurrent }), undefined)
        const inB = new Set(b.connections.map((c) => c.innovation))
        const matching = a.connections.filter((c) => inB.has(c.innovation)).map((c) => c.innovation)
        const childInnovations = child.connections.map((c) => c.innovation)
        for (const innovation of matching) assert.ok(childInnovations.includes(innovation))
        assert.deepEqual(
          childInnovations,
          a.connections.map((c) => c.innovation),
        )
        // each matching weight comes from one of the parents
        const aWeights = new Map(a.connections.map((c) => [c.innovation, c.weight]))
        const bWeights = new Map(b.connections.map((c) => [c.innovation, c.weight]))
        for (const c of child.connections) {
          assert.ok(c.weight === aWeights.get(c.innovation) || c.weight === bWeights.get(c.innovation))
        }
      }),
      { numRuns: 150 },
    )
  })

  it('disables a gene disabled in either parent about 75 % of the time', () => {
    const config = neatConfig()
    const parent = initialState(createTask('xor'), config, 1).genomes[0] as Genome
    const off: Genome = {
      nodes: parent.nodes,
      connections: parent.connections.map((c) => (c.innovation === 0 ? { ...c, enabled: false } : c)),
    }
    const random = new Random(11)
    let disabled = 0
    const trials = 4000
    for (let i = 0; i < trials; i++) {
      const child = crossover({ genome: parent, fitness: 1 }, { genome: off, fitness: 1 }, config, random)
      if (!child.connections[0]?.enabled) disabled++
    }
    assert.ok(Math.abs(disabled / trials - 0.75) < 0.03, `disabled share ${disabled / trials}`)
  })
})

describe('compatibility distance', () => {
  it('is zero to itself, symmetric, and non-negative', () => {
    fc.assert(
      fc.property(seeds, seeds, fc.integer({ min: 0, max: 40 }), (s1, s2, steps) => {
        const k = { c1: 1, c2: 1, c3: 0.4 }
        const a = grown(s1, steps, false).genome
        const b = grown(s2, steps, false).genome
        assert.equal(compatibilityDistance(a, a, k), 0)
        assert.equal(compatibilityDistance(a, b, k), compatibilityDistance(b, a, k))
        assert.ok(compatibilityDistance(a, b, k) >= 0)
      }),
      { numRuns: 150 },
    )
  })

  it('counts excess, disjoint and weight differences as the paper defines them', () => {
    const node = (id: number, kind: 'input' | 'output' | 'hidden') => ({
      id,
      kind,
      activation: 'identity' as const,
      bias: 0,
    })
    const link = (innovation: number, weight: number) => ({
      innovation,
      from: 0,
      to: 1,
      weight,
      enabled: true,
    })
    // a: 1 2 3 _ 5      b: 1 2 _ 4 _ 6 7  → matching 1 2; disjoint 3 4 5; excess 6 7
    const a: Genome = {
      nodes: [node(0, 'input'), node(1, 'output')],
      connections: [1, 2, 3, 5].map((i) => link(i, 1)),
    }
    const b: Genome = {
      nodes: [node(0, 'input'), node(1, 'output')],
      connections: [1, 2, 4, 6, 7].map((i) => link(i, 2)),
    }
    // W̄ averages the 2 matching connections (|1 − 2|) and the output node's bias (0): 2/3
    const distance = compatibilityDistance(a, b, { c1: 1, c2: 1, c3: 0.4 })
    assert.ok(Math.abs(distance - (2 + 3 + 0.4 * (2 / 3))) < 1e-12, `distance ${distance}`)
  })
})
