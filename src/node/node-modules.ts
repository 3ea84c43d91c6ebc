/**
 * The protocol modules a Meshwork node runs, built from its options. Engines compose a `MeshNode` from
 * this list and never name a module themselves; a new capability adds its module here (and its folder
 * under `protocols/`), not to either engine.
 *
 * Membership (SWIM) keeps the bounded group's member list; the overlay follows it (a member's failure or
 * leave counts as a neighbour's, a join introduces a passive peer), and broadcast and replicated state
 * run over the overlay's neighbours.
 */

import { broadcastModule } from '../protocols/broadcast/index.ts'
import type { AnyModule } from '../protocols/index.ts'
import { membershipModule } from '../protocols/membership/index.ts'
import { overlayModule } from '../protocols/overlay/index.ts'
import { stateModule } from '../protocols/replication/index.ts'
import type { NodeOptions } from './running-node.ts'

export type ModuleOptions = Pick<NodeOptions, 'labels' | 'capacity' | 'memoryMb' | 'region' | 'hidden'> & {
  /** Replicated state refuses batches of another realm. */
  readonly realm?: string
  /** This incarnation's number for replicated state's actors; a new one at every start. */
  readonly epoch?: number
}

export function nodeModules(options: ModuleOptions): AnyModule[] {
  const { labels, capacity, memoryMb, region, hidden } = options
  const epoch = options.epoch ?? 0
  return [
    membershipModule({ profile: { labels: [...labels], capacity, memoryMb, region, hidden } }),
    overlayModule({ followMembership: true }),
    broadcastModule(),
    stateModule({ config: { realm: options.realm ?? 'default' }, epoch: () => epoch }),
  ]
}
