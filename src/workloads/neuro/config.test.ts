import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NEAT_DEFAULTS, NeatConfigError, neatConfig } from './config.ts'

describe('NEAT settings', () => {
  it("defaults to the paper's values", () => {
    const c = neatConfig()
    assert.deepEqual(
      [c.population, c.c1, c.c2, c.c3, c.threshold, c.stagnation, c.eliteSpeciesSize],
      [150, 1, 1, 0.4, 3, 15, 5],
    )
    assert.deepEqual(
      [c.weightMutationRate, c.weightPerturbRate, c.disabledInheritance, c.mutationOnlyRate],
      [0.8, 0.9, 0.75, 0.25],
    )
    assert.deepEqual([c.interspeciesMatingRate, c.addNodeRate, c.addConnectionRate], [0.001, 0.03, 0.05])
  })

  it('refuses impossible settings with a message naming the setting', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ addNodeRate: 1.5 }, /addNodeRate is a probability and must be in \[0, 1\], got 1.5/],
      [{ mutationOnlyRate: -0.1 }, /mutationOnlyRate/],
      [{ weightMutationRate: Number.NaN }, /weightMutationRate/],
      [{ population: 1 }, /population must be an integer ≥ 2/],
      [{ population: 10.5 }, /population/],
      [{ threshold: 0 }, /threshold must be a finite number > 0/],
      [{ c3: -1 }, /c3 must be a finite number ≥ 0/],
      [{ survivalThreshold: 0 }, /survivalThreshold must be above 0/],
      [{ recurrent: 'yes' }, /recurrent must be true or false/],
      [{ addNodeRatio: 0.1 }, /unknown setting 'addNodeRatio'/],
    ]
    for (const [overrides, message] of cases) {
      assert.throws(
        () => neatConfig(overrides as never),
        (error: unknown) => {
          assert.ok(error instanceof NeatConfigError)
          assert.match(error.message, message)
          return true
        },
      )
    }
  })

  it('is frozen', () => {
    assert.ok(Object.isFrozen(NEAT_DEFAULTS))
  })
})
