import { it } from 'node:test'
import { checkStateSeeds } from './state-seeds.ts'

it('replicated state loses nothing and converges after the heal, seeds 1-250', () => checkStateSeeds(1, 250))
