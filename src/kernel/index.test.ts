import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as boundedMap from './bounded-map.ts'
import * as boundedQueue from './bounded-queue.ts'
import * as codec from './codec.ts'
import * as connectionClass from './connection-class.ts'
import * as errors from './errors.ts'
import * as frame from './frame.ts'
import * as ids from './ids.ts'
import * as kernel from './index.ts'
import * as random from './random.ts'
import * as rejections from './rejections.ts'
import * as result from './result.ts'
import * as signer from './signer.ts'
import * as time from './time.ts'

const modules = {
  boundedMap,
  boundedQueue,
  codec,
  connectionClass,
  errors,
  frame,
  ids,
  random,
  rejections,
  result,
  signer,
  time,
}

describe('kernel index', () => {
  it('re-exports every runtime export of every kernel module, and nothing else', () => {
    const expected = new Map<string, unknown>()
    for (const [moduleName, exports] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(exports)) {
        assert.equal(expected.has(name), false, `${name} is exported by two modules (${moduleName})`)
        expected.set(name, value)
      }
    }
    const actual = new Map<string, unknown>(Object.entries(kernel))
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort())
    for (const [name, value] of expected) assert.equal(actual.get(name), value, name)
  })

  it('bounds node ids at 128 bytes, above the 52 characters of a base58 ed25519 peer id', () => {
    assert.equal(kernel.MAX_NODE_ID_BYTES, 128)
  })
})
