import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import type { Connection } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { SeedDialer } from './seed-dialer.ts'

const SEED = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLisqhhpnWJX3XmhUKsAv3yfszUBQpRoN2ZKy8A3RLU2v'

/** A host whose dials fail until `upAt` (ms of mocked time), then reach a seed with peer id `seed`. */
function fakeHost(upAt: number, dials: number[]): Libp2p {
  return {
    peerId: { toString: () => 'self' },
    dial: async () => {
      dials.push(Date.now())
      if (Date.now() < upAt) throw new Error('ECONNREFUSED')
      return { remotePeer: { toString: () => 'seed' } } as unknown as Connection
    },
  } as unknown as Libp2p
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('SeedDialer', () => {
  it('retries a seed that is still starting soon (0.25, 0.5, 1 s), then once a second', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 })
    try {
      const dials: number[] = []
      const reached: string[][] = []
      const dialer = new SeedDialer(fakeHost(4_000, dials), {
        seeds: [SEED],
        dialTimeoutMs: 1_000,
        quickRetryMs: 250,
        firstRetryMs: 1_000,
        maxRetryMs: 60_000,
        admit: async () => true,
        reached: (peers) => reached.push([...peers]),
        refused: () => assert.fail('nothing refuses'),
      })
      await dialer.start()
      for (let t = 0; t < 5_000; t += 50) {
        mock.timers.tick(50)
        await settle()
      }
      assert.deepEqual(dials, [0, 250, 750, 1_750, 2_750, 3_750, 4_750])
      assert.deepEqual(reached, [['seed']])
      dialer.stop()
    } finally {
      mock.timers.reset()
    }
  })
})
