import { defineEngineContract } from '../contract/index.ts'
import { startSimCluster } from './contract-cluster.ts'

defineEngineContract('simulator', (size) => startSimCluster(size))
