/**
 * The protocol modules a Meshwork node runs, built from its options. Engines compose a `MeshNode` from
 * this list and never name a module themselves; a new capability adds its module here (and its folder
 * under `protocols/`), not to either engine.
 */
import { membershipModule } from '../protocols/membership/module.ts'
import type { AnyModule } from '../protocols/module.ts'
import type { NodeOptions } from './running-node.ts'

export type ModuleOptions = Pick<NodeOptions, 'labels' | 'capacity' | 'memoryMb' | 'region' | 'hidden'>

export function nodeModules(options: ModuleOptions): AnyModule[] {
  const { labels, capacity, memoryMb, region, hidden } = options
  return [membershipModule({ profile: { labels: [...labels], capacity, memoryMb, region, hidden } })]
}
