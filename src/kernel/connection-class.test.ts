import assert from 'node:assert/strict'
import { it } from 'node:test'
import { CONNECTION_CLASSES, isConnectionClass } from './connection-class.ts'

it('isConnectionClass accepts exactly the four classes', () => {
  assert.deepEqual([...CONNECTION_CLASSES], ['lan', 'wan', 'mobile', 'hostile'])
  for (const connectionClass of CONNECTION_CLASSES) assert.ok(isConnectionClass(connectionClass))
  for (const other of ['', 'LAN', 'wifi', 'lan ', 'constructor'])
    assert.equal(isConnectionClass(other), false)
})
