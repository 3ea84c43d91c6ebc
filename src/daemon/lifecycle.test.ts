/**
 * Graceful shutdown, driven by a fake signal source and a fake exit: the order of the steps, the exit
 * statuses, and the second signal that does not wait.
 */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { handleShutdownSignals, type SignalSource, type Stoppable } from './lifecycle.ts'

const quiet = { info() {}, warn() {}, error() {} }

function harness(stopNode: () => Promise<void> = async () => {}) {
  const steps: string[] = []
  const exits: number[] = []
  const emitter = new EventEmitter()
  const target: Stoppable = {
    app: {
      close: async () => {
        steps.push('api closing')
        await new Promise((resolve) => setImmediate(resolve))
        steps.push('api closed')
      },
      server: { closeAllConnections: () => steps.push('connections closed') },
    },
    node: {
      stop: async () => {
        steps.push('node stopping')
        await stopNode()
        steps.push('node stopped')
      },
    },
  }
  const exited = new Promise<number>((resolve) => {
    const remove = handleShutdownSignals(target, {
      logger: quiet,
      signals: emitter as unknown as SignalSource,
      exit: (status) => {
        exits.push(status)
        remove()
        resolve(status)
      },
      shutdownTimeoutMs: 2_000,
    })
  })
  return { steps, exits, emitter, exited }
}

describe('graceful shutdown', () => {
  it('on SIGTERM closes the API to new requests, stops the node, waits for the API, then exits 0', async () => {
    const { steps, emitter, exited } = harness()
    emitter.emit('SIGTERM')
    assert.equal(await exited, 0)
    assert.deepEqual(steps, [
      'api closing',
      'node stopping',
      'node stopped',
      'connections closed',
      'api closed',
    ])
  })

  it('exits at once with 130 on a second SIGINT while the node is still stopping', async () => {
    let release = () => {}
    const { exits, emitter, exited } = harness(() => new Promise<void>((resolve) => (release = resolve)))
    emitter.emit('SIGINT')
    emitter.emit('SIGINT')
    assert.equal(await exited, 130)
    assert.deepEqual(exits, [130])
    release()
  })

  it('exits 1 when stopping the node fails', async () => {
    const { emitter, exited } = harness(async () => {
      throw new Error('stuck')
    })
    emitter.emit('SIGINT')
    assert.equal(await exited, 1)
  })
})
