import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Encoder } from './codec.ts'
import { beginFrame, DEFAULT_MAX_FRAME_BYTES, type FrameLimits, openFrame } from './frame.ts'

const limits: FrameLimits = { version: 2, maxType: 5, maxFrameBytes: 64 }

function frame(version: number, type: number, payload: (encoder: Encoder) => void = () => {}): Uint8Array {
  const encoder = beginFrame(version, type)
  payload(encoder)
  return encoder.finish()
}

describe('frame', () => {
  it('beginFrame writes the version byte then the type as a varint', () => {
    assert.deepEqual(frame(2, 5), Uint8Array.of(2, 5))
    assert.deepEqual(frame(1, 300), Uint8Array.of(1, 0xac, 0x02))
  })

  it('beginFrame appends to an encoder it is given', () => {
    const encoder = new Encoder()
    encoder.u8(0xee)
    assert.equal(beginFrame(2, 1, encoder), encoder)
    assert.deepEqual(encoder.finish(), Uint8Array.of(0xee, 2, 1))
  })

  it('openFrame returns the header and a decoder positioned at the payload', () => {
    const result = openFrame(
      frame(2, 3, (e) => e.string('hello')),
      limits,
    )
    assert.ok(result.ok)
    assert.deepEqual(result.value.header, { version: 2, type: 3 })
    assert.equal(result.value.decoder.string(), 'hello')
    assert.equal(result.value.decoder.done(), true)
  })

  it('law: a frame with any accepted type and payload opens to the same header and payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 40 }), (type, payload) => {
        const result = openFrame(
          frame(2, type, (e) => e.bytes(payload)),
          limits,
        )
        assert.ok(result.ok)
        assert.equal(result.value.header.type, type)
        assert.deepEqual(Uint8Array.from(result.value.decoder.bytes()), payload)
        assert.equal(result.value.decoder.done(), true)
      }),
    )
  })

  it('rejects a frame from another version with bad-version', () => {
    for (const version of [0, 1, 3, 255]) {
      assert.deepEqual(openFrame(frame(version, 0), limits), { ok: false, error: 'bad-version' })
    }
  })

  it('accepts type maxType and rejects maxType + 1 and above with unknown-type', () => {
    assert.equal(openFrame(frame(2, 5), limits).ok, true)
    assert.deepEqual(openFrame(frame(2, 6), limits), { ok: false, error: 'unknown-type' })
    assert.deepEqual(openFrame(frame(2, 2 ** 40), limits), { ok: false, error: 'unknown-type' })
  })

  it('accepts a frame of exactly maxFrameBytes and rejects one byte more with frame-too-large', () => {
    const atMax = frame(2, 0, (e) => e.raw(new Uint8Array(62)))
    assert.equal(atMax.length, 64)
    assert.equal(openFrame(atMax, limits).ok, true)
    const overMax = frame(2, 0, (e) => e.raw(new Uint8Array(63)))
    assert.deepEqual(openFrame(overMax, limits), { ok: false, error: 'frame-too-large' })
  })

  it('checks the size before reading anything, so an oversized frame of any content is frame-too-large', () => {
    assert.deepEqual(openFrame(new Uint8Array(65).fill(0xff), limits), {
      ok: false,
      error: 'frame-too-large',
    })
  })

  it('uses DEFAULT_MAX_FRAME_BYTES (1 MiB) when no bound is given', () => {
    const noBound = { version: 2, maxType: 5 }
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 1_048_576)
    const atMax = frame(2, 0, (e) => e.raw(new Uint8Array(DEFAULT_MAX_FRAME_BYTES - 2)))
    assert.equal(openFrame(atMax, noBound).ok, true)
    const overMax = frame(2, 0, (e) => e.raw(new Uint8Array(DEFAULT_MAX_FRAME_BYTES - 1)))
    assert.deepEqual(openFrame(overMax, noBound), { ok: false, error: 'frame-too-large' })
  })

  it('an empty frame or a frame cut inside its type is truncated', () => {
    assert.deepEqual(openFrame(new Uint8Array(0), limits), { ok: false, error: 'truncated' })
    assert.deepEqual(openFrame(Uint8Array.of(2), limits), { ok: false, error: 'truncated' })
    assert.deepEqual(openFrame(Uint8Array.of(2, 0x80), limits), { ok: false, error: 'truncated' })
  })

  it('a type varint longer than 8 bytes is a varint-overflow', () => {
    assert.deepEqual(openFrame(Uint8Array.of(2, ...new Uint8Array(9).fill(0x80), 0), limits), {
      ok: false,
      error: 'varint-overflow',
    })
  })

  it('law: openFrame never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const result = openFrame(bytes, limits)
        if (result.ok) {
          assert.equal(result.value.header.version, 2)
          assert.ok(result.value.header.type <= 5)
        }
      }),
    )
  })
})
