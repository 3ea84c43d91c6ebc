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

  it('copies linearly: a 1 MiB frame in 64-byte chunks costs at most 2 MiB of copying, not its square', () => {
    const frame = new Uint8Array(1 << 20).map((_, i) => i & 0xff)
    const wire = lengthPrefixed(frame)
    const reader = new FrameReader(1 << 21)
    const reads = []
    for (let at = 0; at < wire.length; at += 64) reads.push(...reader.push(wire.subarray(at, at + 64)))
    assert.equal(reads.length, 1)
    assert.ok(reads[0]?.ok)
    assert.ok(Buffer.from(reads[0].frame).equals(frame), 'the frame comes out intact')
    // concatenating every chunk onto the partial buffer copied Σ buffered ≈ n² / (2 · 64) bytes: 8 GiB
    assert.ok(reader.bytesCopied <= 2 * frame.length, `${reader.bytesCopied} bytes copied`)
    assert.equal(reader.buffered, 0)
  })

  it('holds only what a peer sent when it announces a large frame and stops', () => {
    const reader = new FrameReader(1 << 20)
    const header = lengthPrefixed(new Uint8Array(1 << 20)).subarray(0, 4)
    assert.deepEqual(reader.push(header), [])
    assert.equal(reader.buffered, 1, 'one body byte')
    assert.ok(reader.bytesCopied <= 1)
  })
})
