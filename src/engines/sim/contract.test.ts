import { defineMembershipContract } from '../contract/membership-contract.ts'
import { startSimCluster } from './membership/sim-cluster.ts'

defineMembershipContract('simulator', (size) => startSimCluster(size))
