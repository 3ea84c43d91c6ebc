import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { err, ok, type Result } from './result.ts'

function parsePort(text: string): Result<number, 'not-a-number' | 'out-of-range'> {
  const port = Number(text)
  if (!Number.isInteger(port)) return err('not-a-number')
  if (port < 1 || port > 65_535) return err('out-of-range')
  return ok(port)
}

describe('Result', () => {
  it('ok wraps a value and err wraps an error, as plain data', () => {
    assert.deepEqual(ok(3), { ok: true, value: 3 })
    assert.deepEqual(err('bad'), { ok: false, error: 'bad' })
    assert.deepEqual(JSON.parse(JSON.stringify(ok({ a: 1 }))), { ok: true, value: { a: 1 } })
  })

  it('narrows on `ok` so a caller reads the value or the error without throwing', () => {
    const good = parsePort('4001')
    const bad = parsePort('70000')
    assert.ok(good.ok)
    assert.equal(good.value, 4001)
    assert.ok(!bad.ok)
    assert.equal(bad.error, 'out-of-range')
    assert.deepEqual(parsePort('x'), { ok: false, error: 'not-a-number' })
  })
})
