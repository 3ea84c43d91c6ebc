/**
 * The engine contract: one suite that every engine passes, one file per capability. An engine's test file
 * is `defineEngineContract(name, factory)` and nothing else; a new capability adds a file here and a
 * line below, and both engines run it.
 */
import { describe } from 'node:test'
import type { ClusterFactory } from './cluster-under-test.ts'
import { defineHostileFramesCapability } from './hostile-frames.ts'
import { defineMembershipCapability } from './membership.ts'

export {
  type ClusterFactory,
  type ClusterUnderTest,
  CONTRACT_CLUSTER_SIZE,
  sumRejections,
} from './cluster-under-test.ts'
export { everyoneSees, membershipOf, stateOf } from './membership.ts'

export function defineEngineContract(engine: string, factory: ClusterFactory): void {
  describe(`engine contract: ${engine}`, { timeout: 120_000 }, () => {
    defineMembershipCapability(factory)
    defineHostileFramesCapability(factory)
  })
}
