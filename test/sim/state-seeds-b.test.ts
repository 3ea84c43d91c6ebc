import { it } from 'node:test'
import { checkStateSeeds } from './state-seeds.ts'

it('replicated state loses nothing and converges after the heal, seeds 251-500', () =>
  checkStateSeeds(251, 500))
