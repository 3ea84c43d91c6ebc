import assert from 'node:assert/strict'
import { it } from 'node:test'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import fc from 'fast-check'
import { fastEmptyLengthPrefix } from './length-prefix-fast-path.ts'

/** Noise's 2-byte big-endian length, counting how often it is asked to read an empty buffer. */
function uint16Decoder(calls: { empty: number }) {
  return (data: { byteLength: number; get(index: number): number }): number => {
    if (data.byteLength === 0) calls.empty++
    if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
    return (data.get(0) << 8) | data.get(1)
  }
}

function framed(messages: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((sum, m) => sum + 2 + m.length, 0))
  let at = 0
  for (const message of messages) {
    out[at++] = message.length >> 8
    out[at++] = message.length & 0xff
    out.set(message, at)
    at += message.length
  }
  return out
}

it('decodes the same messages from any chunking, and never asks the length decoder to read an empty buffer', () => {
  fastEmptyLengthPrefix()
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (messages, cuts) => {
        const calls = { empty: 0 }
        const decoder = new LengthPrefixedDecoder({
          lengthDecoder: uint16Decoder(calls) as never,
          encodingLength: () => 2,
        })
        const bytes = framed(messages)
        const got: Uint8Array[] = []
        let at = 0
        for (let i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length] as number
          for (const message of decoder.decode(bytes.subarray(at, at + size))) got.push(message.subarray())
          at += size
        }
        assert.deepEqual(got, messages)
        assert.equal(calls.empty, 0)
      },
    ),
  )
})
