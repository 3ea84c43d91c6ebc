import { defineMembershipContract } from '../contract/membership-contract.ts'
import { startLibp2pCluster } from './libp2p-cluster.ts'

defineMembershipContract('libp2p on loopback', (size) => startLibp2pCluster(size))
