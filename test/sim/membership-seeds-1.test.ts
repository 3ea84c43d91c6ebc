import { describe, it } from 'node:test'
import { checkSeed, defineSeedRange, REGRESSION_SEEDS } from './membership-seeds.ts'

describe('membership simulation, swarm seeds 1–100 (50–200 nodes)', () => {
  for (const { seed, nodes } of REGRESSION_SEEDS) {
    it(`still passes regression seed ${seed} with ${nodes} nodes`, () => checkSeed(seed, nodes))
  }
  defineSeedRange(1, 100)
})
