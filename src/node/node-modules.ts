/**
 * The protocol modules a Meshwork node runs, built from its options. Engines compose a `MeshNode` from
 * this list and never name a module themselves; a new capability adds its module here (and its folder
 * under `protocols/`), not to either engine.
 */

import type { AnyModule } from '../protocols/index.ts'
import { membershipModule } from '../protocols/membership/index.ts'
import type { NodeOptions } from './running-node.ts'

export type ModuleOptions = Pick<NodeOptions, 'labels' | 'capacity' | 'memoryMb' | 'region' | 'hidden'>

export function nodeModules(options: ModuleOptions): AnyModule[] {
  const { labels, capacity, memoryMb, region, hidden } = options
  return [membershipModule({ profile: { labels: [...labels], capacity, memoryMb, region, hidden } })]
}
