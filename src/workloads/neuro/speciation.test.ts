import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { neatConfig } from './config.ts'
import { initialState } from './evolution.ts'
import type { Genome } from './genome.ts'
import { InnovationRegistry } from './innovation-registry.ts'
import { addNode } from './mutation.ts'
import { adaptThreshold, allocateOffspring, type Species, speciate } from './speciation.ts'
import { createTask } from './tasks/index.ts'

const species = (id: number, members: number[], lastImproved: number, bestFitness = 1): Species => ({
  id,
  members,
  lastImproved,
  bestFitness,
  representative: { nodes: [], connections: [] },
  tested: false,
})

describe('offspring allocation', () => {
  it('always fills the population exactly, in proportion to mean fitness', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 500 }),
        (fitness, groups, population) => {
          const members: number[][] = Array.from({ length: groups }, () => [])
          for (let i = 0; i < fitness.length; i++) members[i % groups]?.push(i)
          const list = members.filter((m) => m.length > 0).map((m, k) => species(k, m, 0))
          const config = neatConfig({ population })
          const counts = allocateOffspring(list, fitness, 0, config, 0)
          assert.equal(
            counts.reduce((a, b) => a + b, 0),
            population,
          )
        },
      ),
    )
  })

  it('gives stagnant species nothing, except the protected best ones', () => {
    const config = neatConfig({ population: 100, stagnation: 15, protectedSpecies: 1 })
    const fitness = [10, 10, 5, 5, 1, 1]
    const list = [species(0, [0, 1], 0, 10), species(1, [2, 3], 20, 5), species(2, [4, 5], 0, 1)]
    const counts = allocateOffspring(list, fitness, 0, config, 20)
    // species 0 is stagnant but holds the champion (index 0); species 2 is stagnant and unprotected
    assert.ok((counts[0] as number) > 0)
    assert.ok((counts[1] as number) > 0)
    assert.equal(counts[2], 0)
    assert.equal((counts[0] as number) + (counts[1] as number), 100)
  })

  it("keeps the champion's species alive even when its mean fitness is tiny", () => {
    const config = neatConfig({ population: 10 })
    // the champion (index 0) sits in a species of 1,000 failures; another species is uniformly good
    const fitness = [50, ...Array.from({ length: 999 }, () => 0), ...Array.from({ length: 10 }, () => 40)]
    const crowd = species(
      0,
      Array.from({ length: 1000 }, (_, i) => i),
      0,
      50,
    )
    const good = species(
      1,
      Array.from({ length: 10 }, (_, i) => 1000 + i),
      0,
      40,
    )
    const counts = allocateOffspring([crowd, good], fitness, 0, config, 0)
    assert.deepEqual(counts, [1, 9])
  })
})

describe('speciation', () => {
  it('puts identical genomes in one species and a very different one in another', () => {
    const config = neatConfig({ threshold: 1 })
    const base = initialState(createTask('xor'), config, 1)
    const genome = base.genomes[0] as Genome
    let far = genome
    const registry = new InnovationRegistry(base.nextInnovation, base.nextNode)
    for (let i = 0; i < 4; i++) far = addNode(far, registry, new Random(i))
    const genomes = [genome, genome, far]
    const result = speciate(
      genomes,
      [1, 1, 1],
      [],
      { nextSpeciesId: 0, threshold: 1 },
      config,
      0,
      new Random(1),
    )
    assert.equal(result.species.length, 2)
    assert.deepEqual(result.species[0]?.members, [0, 1])
    assert.deepEqual(result.species[1]?.members, [2])
  })

  it('puts everyone in one species when speciation is off', () => {
    const config = neatConfig({ speciation: false })
    const base = initialState(createTask('xor'), config, 3)
    const fitness = base.genomes.map(() => 1)
    const result = speciate(
      base.genomes,
      fitness,
      [],
      { nextSpeciesId: 0, threshold: 0.001 },
      config,
      0,
      new Random(1),
    )
    assert.equal(result.species.length, 1)
    assert.equal(result.species[0]?.members.length, base.genomes.length)
  })

  it('moves the threshold toward the target species count', () => {
    const config = neatConfig({ targetSpecies: 10, thresholdStep: 0.1, thresholdMin: 0.5 })
    assert.ok(adaptThreshold(3, 20, config) > 3)
    assert.ok(adaptThreshold(3, 5, config) < 3)
    assert.equal(adaptThreshold(3, 10, config), 3)
    assert.equal(adaptThreshold(0.5, 1, config), 0.5)
    assert.equal(adaptThreshold(3, 20, neatConfig({ thresholdStep: 0 })), 3)
  })
})

describe('champion test choice (the reference pole2_epoch rotation)', () => {
  it('tests the best untested species, and the best species when all were tested', async () => {
    const { championToTest } = await import('./solution.ts')
    const fitness = [5, 9, 1, 7, 3]
    const a = { ...species(0, [0, 1], 0), tested: false }
    const b = { ...species(1, [2, 3], 0), tested: false }
    const c = { ...species(2, [4], 0), tested: false }
    assert.deepEqual(championToTest([a, b, c], fitness), { k: 0, champion: 1 })
    assert.deepEqual(championToTest([{ ...a, tested: true }, b, c], fitness), { k: 1, champion: 3 })
    assert.deepEqual(championToTest([{ ...a, tested: true }, { ...b, tested: true }, c], fitness), {
      k: 2,
      champion: 4,
    })
    assert.deepEqual(
      championToTest(
        [
          { ...a, tested: true },
          { ...b, tested: true },
          { ...c, tested: true },
        ],
        fitness,
      ),
      { k: 0, champion: 1 },
    )
  })

  it('clears the mark when a species improves', () => {
    const config = neatConfig()
    const base = initialState(createTask('xor'), config, 1)
    const genomes = [base.genomes[0] as Genome]
    const first = speciate(genomes, [1], [], { nextSpeciesId: 0, threshold: 3 }, config, 0, new Random(1))
    const marked = first.species.map((s) => ({ ...s, tested: true }))
    const same = speciate(genomes, [1], marked, { nextSpeciesId: 1, threshold: 3 }, config, 1, new Random(1))
    assert.equal(same.species[0]?.tested, true)
    const better = speciate(
      genomes,
      [2],
      marked,
      { nextSpeciesId: 1, threshold: 3 },
      config,
      1,
      new Random(1),
    )
    assert.equal(better.species[0]?.tested, false)
  })
})
