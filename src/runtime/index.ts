export { siblingModule, WorkerPool, type WorkerPoolInit } from './worker-pool.ts'
