import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { FrameReader, lengthPrefixed } from './framing.ts'

describe('length-prefixed framing', () => {
  it('law: frames split into arbitrary chunks come out whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const wire = Uint8Array.from(frames.flatMap((frame) => [...lengthPrefixed(frame)]))
          const reader = new FrameReader(1_000)
          const out: Uint8Array[] = []
          let at = 0
          for (let i = 0; at < wire.length; i++) {
            const size = cuts[i % cuts.length] as number
            for (const read of reader.push(wire.subarray(at, at + size))) {
              assert.ok(read.ok)
              out.push(read.frame)
            }
            at += size
          }
          assert.deepEqual(out, frames)
          assert.equal(reader.buffered, 0)
        },
      ),
    )
  })

  it('refuses a frame longer than the bound from its length alone, before buffering it', () => {
    const reader = new FrameReader(100)
    const header = lengthPrefixed(new Uint8Array(101)).subarray(0, 2)
    assert.deepEqual(reader.push(header), [{ ok: false, error: 'oversized' }])
    assert.equal(reader.failed, 'oversized')
    assert.deepEqual(reader.push(new Uint8Array(10)), [], 'a failed stream yields nothing more')
  })

  it('refuses a length prefix that never ends', () => {
    const reader = new FrameReader(100)
    assert.deepEqual(reader.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), [
      { ok: false, error: 'bad-length' },
    ])
  })

  it('waits for the rest of a frame split inside its length prefix', () => {
    const reader = new FrameReader(100_000)
    const wire = lengthPrefixed(new Uint8Array(300).fill(7))
    assert.deepEqual(reader.push(wire.subarray(0, 1)), [])
    const reads = reader.push(wire.subarray(1))
    assert.equal(reads.length, 1)
    assert.ok(reads[0]?.ok && reads[0].frame.length === 300)
  })
})
