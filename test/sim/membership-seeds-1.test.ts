import { describe } from 'node:test'
import { defineRegressionSeeds, defineSeedRange } from './membership-seeds.ts'

describe('membership simulation, swarm seeds 1–100 (50–200 nodes)', () => {
  defineRegressionSeeds((seed) => seed <= 100 || seed > 200)
  defineSeedRange(1, 100)
})
