import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { CRDT_CODEC_VERSION, decodeCrdt, encodeCrdt } from './codec.ts'
import { CRDT_TYPES } from './crdt.ts'
import { fingerprintHex } from './fingerprint.ts'
import { TopNMap } from './top-n-map.ts'

describe('CRDT codec', () => {
  const map = new TopNMap(4)
  map.offer('a', 2, Uint8Array.of(1))
  map.offer('b', 1, Uint8Array.of(2))
  const encoded = encodeCrdt(map)

  it('writes a type tag and a version before the body, and reads them back', () => {
    assert.equal(encoded[0], 2)
    assert.equal(encoded[1], CRDT_CODEC_VERSION)
    const decoded = decodeCrdt(encoded)
    assert.ok(decoded.ok)
    assert.equal(decoded.value.type, 'topN')
    assert.deepEqual(encodeCrdt(decoded.value), encoded)
  })

  it('refuses an unknown type, a version it does not know and trailing bytes', () => {
    const unknown = encoded.slice()
    unknown[0] = 200
    assert.deepEqual(decodeCrdt(unknown), { ok: false, error: 'unknown-type' })
    const later = encoded.slice()
    later[1] = CRDT_CODEC_VERSION + 1
    assert.deepEqual(decodeCrdt(later), { ok: false, error: 'bad-version' })
    assert.deepEqual(decodeCrdt(Uint8Array.of(...encoded, 0)), { ok: false, error: 'trailing-bytes' })
    assert.deepEqual(decodeCrdt(new Uint8Array(0)), { ok: false, error: 'truncated' })
  })

  it('has a tag for every type, and the bottom state of each round-trips', async () => {
    const { AwSet, LwwMap, PnCounterMap, GCounterMap } = await import('./index.ts')
    const bottoms = [new AwSet(), new TopNMap(1), new LwwMap(), new PnCounterMap(), new GCounterMap()]
    assert.deepEqual(bottoms.map((state) => state.type).sort(), [...CRDT_TYPES].sort())
    const tags = new Set<number>()
    for (const state of bottoms) {
      assert.ok(state.isEmpty())
      const bytes = encodeCrdt(state)
      tags.add(bytes[0] as number)
      const decoded = decodeCrdt(bytes)
      assert.ok(decoded.ok, state.type)
      assert.deepEqual(encodeCrdt(decoded.value), bytes)
    }
    assert.equal(tags.size, CRDT_TYPES.length)
  })

  it('fingerprints equal states alike and different states differently', () => {
    const copy = map.clone()
    assert.equal(fingerprintHex(copy), fingerprintHex(map))
    assert.equal(fingerprintHex(map).length, 32)
    copy.offer('c', 0, Uint8Array.of())
    assert.notEqual(fingerprintHex(copy), fingerprintHex(map))
  })

  it('never throws on arbitrary bytes, and accepts only canonical encodings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 96 }), (tag, body) => {
        const input = Uint8Array.of(tag, CRDT_CODEC_VERSION, ...body)
        const result = decodeCrdt(input)
        // whatever a decoder accepts must be the one encoding of the state it decoded
        return !result.ok || Buffer.from(encodeCrdt(result.value)).equals(Buffer.from(input))
      }),
      { numRuns: 20_000 },
    )
  })
})
