import { describe } from 'node:test'
import { defineSeedRange } from './membership-seeds.ts'

describe('membership simulation, swarm seeds 101–200 (50–200 nodes)', () => {
  defineSeedRange(101, 200)
})
