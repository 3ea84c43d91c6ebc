import { defineEngineContract } from '../contract/index.ts'
import { startLibp2pCluster } from './libp2p-cluster.ts'

defineEngineContract('libp2p on loopback', (size) => startLibp2pCluster(size))
