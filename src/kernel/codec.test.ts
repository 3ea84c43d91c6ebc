import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Decoder, Encoder, stringBytes, varUintBytes } from './codec.ts'

const MIN_VAR_INT = -(2 ** 52)
const MAX_VAR_INT = 2 ** 52 - 1

function encoded(write: (encoder: Encoder) => void, initialBytes?: number): Uint8Array {
  const encoder = new Encoder(initialBytes)
  write(encoder)
  return encoder.finish()
}

/** One field of a mixed message: which codec pair to use and the value. */
type Field =
  | { kind: 'varUint'; value: number }
  | { kind: 'varInt'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'f64'; value: number }
  | { kind: 'u8'; value: number }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'string'; value: string }

// plain prototypes, so decoded fields (object literals) compare deep-equal to generated ones
const plain = { noNullPrototype: true } as const
const fieldArbitrary: fc.Arbitrary<Field> = fc.oneof(
  fc.record({ kind: fc.constant('varUint' as const), value: fc.maxSafeNat() }, plain),
  fc.record(
    { kind: fc.constant('varInt' as const), value: fc.integer({ min: MIN_VAR_INT, max: MAX_VAR_INT }) },
    plain,
  ),
  fc.record({ kind: fc.constant('bool' as const), value: fc.boolean() }, plain),
  fc.record({ kind: fc.constant('f64' as const), value: fc.double() }, plain),
  fc.record({ kind: fc.constant('u8' as const), value: fc.integer({ min: 0, max: 255 }) }, plain),
  fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 300 }) }, plain),
  fc.record(
    { kind: fc.constant('string' as const), value: fc.string({ unit: 'binary', maxLength: 200 }) },
    plain,
  ),
)

function writeField(encoder: Encoder, field: Field): void {
  if (field.kind === 'varUint') encoder.varUint(field.value)
  else if (field.kind === 'varInt') encoder.varInt(field.value)
  else if (field.kind === 'bool') encoder.bool(field.value)
  else if (field.kind === 'f64') encoder.f64(field.value)
  else if (field.kind === 'u8') encoder.u8(field.value)
  else if (field.kind === 'bytes') encoder.bytes(field.value)
  else encoder.string(field.value)
}

/** Reads a field of the same kind as `like`, returning a field with the decoded value. */
function readField(decoder: Decoder, like: Field): Field {
  switch (like.kind) {
    case 'varUint':
      return { kind: like.kind, value: decoder.varUint() }
    case 'varInt':
      return { kind: like.kind, value: decoder.varInt() }
    case 'bool':
      return { kind: like.kind, value: decoder.bool() }
    case 'f64':
      return { kind: like.kind, value: decoder.f64() }
    case 'u8':
      return { kind: like.kind, value: decoder.u8() }
    case 'bytes':
      return { kind: like.kind, value: Uint8Array.from(decoder.bytes()) }
    case 'string':
      return { kind: like.kind, value: decoder.string() }
  }
}

function decodeAll(bytes: Uint8Array, fields: readonly Field[]): { decoded: Field[]; decoder: Decoder } {
  const decoder = new Decoder(bytes)
  return { decoded: fields.map((field) => readField(decoder, field)), decoder }
}

/** Asserts that one codec pair round-trips `value` exactly (Object.is, so -0 and NaN count) and nothing else. */
function assertRoundTrip<T>(
  write: (encoder: Encoder) => void,
  read: (decoder: Decoder) => T,
  value: T,
): void {
  const decoder = new Decoder(encoded(write))
  assert.deepEqual(read(decoder), value)
  assert.equal(decoder.error, undefined)
  assert.equal(decoder.done(), true)
}

describe('codec', () => {
  describe('round trips', () => {
    it('law: varUint decodes to the value encoded, for every integer in [0, 2^53 − 1]', () => {
      fc.assert(
        fc.property(fc.maxSafeNat(), (value) => {
          assertRoundTrip(
            (e) => e.varUint(value),
            (d) => d.varUint(),
            value,
          )
        }),
      )
      for (const value of [
        0,
        1,
        127,
        128,
        16_383,
        16_384,
        2 ** 32 - 1,
        2 ** 32,
        2 ** 49,
        Number.MAX_SAFE_INTEGER,
      ]) {
        assertRoundTrip(
          (e) => e.varUint(value),
          (d) => d.varUint(),
          value,
        )
      }
    })

    it('writes varUint as little-endian base-128 groups (LEB128)', () => {
      assert.deepEqual(
        encoded((e) => e.varUint(0)),
        Uint8Array.of(0),
      )
      assert.deepEqual(
        encoded((e) => e.varUint(127)),
        Uint8Array.of(0x7f),
      )
      assert.deepEqual(
        encoded((e) => e.varUint(128)),
        Uint8Array.of(0x80, 0x01),
      )
      assert.deepEqual(
        encoded((e) => e.varUint(300)),
        Uint8Array.of(0xac, 0x02),
      )
      assert.deepEqual(
        encoded((e) => e.varUint(Number.MAX_SAFE_INTEGER)),
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f),
      )
    })

    it('law: varInt decodes to the value encoded, for every integer in [−2^52, 2^52 − 1], negatives included', () => {
      fc.assert(
        fc.property(fc.integer({ min: MIN_VAR_INT, max: MAX_VAR_INT }), (value) => {
          assertRoundTrip(
            (e) => e.varInt(value),
            (d) => d.varInt(),
            value,
          )
        }),
      )
      for (const value of [0, -1, 1, -64, 63, -65, 64, 2 ** 31, -(2 ** 31), MIN_VAR_INT, MAX_VAR_INT]) {
        assertRoundTrip(
          (e) => e.varInt(value),
          (d) => d.varInt(),
          value,
        )
      }
    })

    it('writes varInt in zig-zag order so small magnitudes of either sign take one byte', () => {
      const zigzag = (value: number): number[] => [...encoded((e) => e.varInt(value))]
      assert.deepEqual([0, -1, 1, -2, 2, -64, 63].map(zigzag), [[0], [1], [2], [3], [4], [127], [126]])
      assert.equal(zigzag(64).length, 2)
    })

    it('law: bool decodes to the value encoded', () => {
      for (const value of [true, false]) {
        assertRoundTrip(
          (e) => e.bool(value),
          (d) => d.bool(),
          value,
        )
      }
    })

    it('law: f64 decodes to the same number, including NaN, −0 and ±Infinity', () => {
      fc.assert(
        fc.property(fc.double(), (value) => {
          assertRoundTrip(
            (e) => e.f64(value),
            (d) => d.f64(),
            value,
          )
        }),
      )
      for (const value of [
        Number.NaN,
        -0,
        0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.MIN_VALUE,
        Number.MAX_VALUE,
        Math.PI,
      ]) {
        assertRoundTrip(
          (e) => e.f64(value),
          (d) => d.f64(),
          value,
        )
      }
    })

    it('law: u8 decodes to the value encoded', () => {
      for (let value = 0; value < 256; value++) {
        assertRoundTrip(
          (e) => e.u8(value),
          (d) => d.u8(),
          value,
        )
      }
    })

    it('law: bytes decode to the bytes encoded, of any length', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2_000 }), (value) => {
          assertRoundTrip(
            (e) => e.bytes(value),
            (d) => Uint8Array.from(d.bytes()),
            value,
          )
        }),
      )
    })

    it('law: raw bytes are written without a prefix', () => {
      fc.assert(
        fc.property(fc.uint8Array(), (value) => {
          assert.deepEqual(
            encoded((e) => e.raw(value)),
            value,
          )
        }),
      )
    })

    it('law: ASCII strings of any length decode to the string encoded', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary-ascii', maxLength: 400 }), (value) => {
          assertRoundTrip(
            (e) => e.string(value),
            (d) => d.string(),
            value,
          )
        }),
      )
    })

    it('law: arbitrary Unicode strings (every code point, graphemes) decode to the string encoded', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.string({ unit: 'grapheme', maxLength: 100 }),
          ),
          (value) => {
            assertRoundTrip(
              (e) => e.string(value),
              (d) => d.string(),
              value,
            )
          },
        ),
      )
    })

    it('law: strings longer than 128 characters decode to the string encoded', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary-ascii', minLength: 129, maxLength: 3_000 }),
            fc.string({ unit: 'binary', minLength: 129, maxLength: 3_000 }),
          ),
          (value) => {
            assertRoundTrip(
              (e) => e.string(value),
              (d) => d.string(),
              value,
            )
          },
        ),
      )
    })

    it('round-trips strings at the fast-path boundaries (63, 64, 127, 128 characters) and a leading BOM', () => {
      for (const length of [0, 1, 63, 64, 127, 128, 129]) {
        for (const unit of ['a', 'é', '😀']) {
          const value = unit.repeat(length)
          assertRoundTrip(
            (e) => e.string(value),
            (d) => d.string(value.length * 4 + 1),
            value,
          )
        }
      }
      for (const value of ['\uFEFF', '\uFEFFmesh', 'mesh\uFEFF', '\0\u007f\u0080\u07ff\u0800\uffff']) {
        assertRoundTrip(
          (e) => e.string(value),
          (d) => d.string(),
          value,
        )
      }
    })

    it('encodes strings as UTF-8 with a varint byte length', () => {
      assert.deepEqual(
        encoded((e) => e.string('hé')),
        Uint8Array.of(3, 0x68, 0xc3, 0xa9),
      )
      assert.deepEqual(encoded((e) => e.string('x'.repeat(128))).subarray(0, 2), Uint8Array.of(0x80, 0x01))
    })

    it('law: a mixed sequence of fields decodes field by field to the values encoded', () => {
      fc.assert(
        fc.property(fc.array(fieldArbitrary, { maxLength: 30 }), (fields) => {
          const bytes = encoded((e) => {
            for (const field of fields) writeField(e, field)
          }, 8)
          const { decoded, decoder } = decodeAll(bytes, fields)
          assert.deepEqual(decoded, fields)
          assert.equal(decoder.done(), true)
          assert.equal(decoder.remaining, 0)
          assert.equal(decoder.offset, bytes.length)
        }),
      )
    })
  })

  describe('sizes without encoding', () => {
    it('law: varUintBytes(n) is the length Encoder.varUint(n) writes, for every safe non-negative n', () => {
      fc.assert(
        fc.property(fc.oneof(fc.nat(300), fc.nat({ max: Number.MAX_SAFE_INTEGER })), (value) => {
          assert.equal(varUintBytes(value), encoded((e) => e.varUint(value)).length)
        }),
      )
    })

    it('law: stringBytes(s) is the length Encoder.string(s) writes, for any UTF-16 text, lone surrogates too', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 300 })),
          (value) => {
            assert.equal(stringBytes(value), encoded((e) => e.string(value)).length)
          },
        ),
      )
      for (const value of [
        '',
        'n42',
        'é',
        '\u{1F600}',
        '\ud800',
        '\udc00x',
        'a'.repeat(127),
        'a'.repeat(128),
      ]) {
        assert.equal(stringBytes(value), encoded((e) => e.string(value)).length, JSON.stringify(value))
      }
    })
  })

  describe('encoder', () => {
    it('grows past its initial size, from any initial size including zero', () => {
      for (const initialBytes of [0, 1, 2, 7, 256]) {
        const encoder = new Encoder(initialBytes)
        const big = Uint8Array.from({ length: 5_000 }, (_, i) => i & 0xff)
        for (let i = 0; i < 300; i++) encoder.varUint(Number.MAX_SAFE_INTEGER)
        encoder.bytes(big)
        encoder.f64(1.5)
        encoder.string('ü'.repeat(1_000))
        const decoder = new Decoder(encoder.finish())
        for (let i = 0; i < 300; i++) assert.equal(decoder.varUint(), Number.MAX_SAFE_INTEGER)
        assert.deepEqual(Uint8Array.from(decoder.bytes()), big)
        assert.equal(decoder.f64(), 1.5)
        assert.equal(decoder.string(), 'ü'.repeat(1_000))
        assert.equal(decoder.done(), true, `initialBytes ${initialBytes}`)
      }
    })

    it('finish returns a copy, so later writes and reset do not change it', () => {
      const encoder = new Encoder(4)
      encoder.u8(1)
      const first = encoder.finish()
      encoder.u8(2)
      encoder.reset()
      encoder.u8(9)
      assert.deepEqual(first, Uint8Array.of(1))
      assert.deepEqual(encoder.finish(), Uint8Array.of(9))
      assert.equal(encoder.length, 1)
    })

    it('length counts the bytes written', () => {
      const encoder = new Encoder()
      encoder.varUint(300)
      encoder.f64(0)
      assert.equal(encoder.length, 10)
    })

    it('rejects values that varUint and varInt cannot represent', () => {
      const encoder = new Encoder()
      for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
        assert.throws(() => encoder.varUint(value), RangeError, `varUint ${value}`)
      }
      for (const value of [MAX_VAR_INT + 1, MIN_VAR_INT - 1, Number.MAX_SAFE_INTEGER, 0.5, Number.NaN]) {
        assert.throws(() => encoder.varInt(value), RangeError, `varInt ${value}`)
      }
      assert.equal(encoder.length, 0, 'a rejected value writes nothing')
    })

    it('u8 keeps the low 8 bits', () => {
      assert.deepEqual(
        encoded((e) => e.u8(0x1ff)),
        Uint8Array.of(0xff),
      )
    })
  })

  describe('decoding hostile input', () => {
    it('law: every strict prefix of a valid message sets error = truncated and never throws', () => {
      fc.assert(
        fc.property(
          fc.array(fieldArbitrary, { minLength: 1, maxLength: 12 }),
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          (fields, cut) => {
            const bytes = encoded((e) => {
              for (const field of fields) writeField(e, field)
            })
            const prefix = bytes.subarray(0, Math.floor(cut * bytes.length))
            const { decoder } = decodeAll(prefix, fields)
            assert.equal(decoder.error, 'truncated')
            assert.equal(decoder.done(), false)
          },
        ),
      )
    })

    it('reads after a failure return zero values and keep the first reason', () => {
      const decoder = new Decoder(new Uint8Array(0))
      assert.equal(decoder.u8(), 0)
      assert.equal(decoder.error, 'truncated')
      decoder.fail('invalid-value')
      assert.equal(decoder.varUint(), 0)
      assert.equal(decoder.varInt(), 0)
      assert.equal(decoder.bool(), false)
      assert.equal(decoder.f64(), 0)
      assert.deepEqual(decoder.bytes(), new Uint8Array(0))
      assert.equal(decoder.string(), '')
      assert.equal(decoder.count(10), 0)
      assert.equal(decoder.error, 'truncated')
    })

    it('a failed read does not consume input', () => {
      const decoder = new Decoder(Uint8Array.of(1, 2, 3))
      assert.equal(decoder.f64(), 0)
      assert.equal(decoder.error, 'truncated')
      assert.equal(decoder.offset, 0)
      assert.equal(decoder.remaining, 3)
    })

    it('a length prefix larger than the remaining input is truncated', () => {
      const decoder = new Decoder(Uint8Array.of(5, 1, 2))
      assert.deepEqual(decoder.bytes(), new Uint8Array(0))
      assert.equal(decoder.error, 'truncated')
    })

    it('a varint of more than 8 bytes is a varint-overflow', () => {
      for (const input of [
        Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
      ]) {
        const decoder = new Decoder(input)
        assert.equal(decoder.varUint(), 0)
        assert.equal(decoder.error, 'varint-overflow')
      }
    })

    it('an 8-byte varint above 2^53 − 1 is a varint-overflow', () => {
      for (const input of [
        Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10), // 2^53
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), // 2^56 − 1
      ]) {
        const decoder = new Decoder(input)
        assert.equal(decoder.varUint(), 0)
        assert.equal(decoder.error, 'varint-overflow')
      }
    })

    it('refuses an overlong varint (a second encoding of a smaller number)', () => {
      for (const input of [
        Uint8Array.of(0x80, 0x00),
        Uint8Array.of(0x81, 0x80, 0x00),
        Uint8Array.of(0xff, 0x00),
      ]) {
        const decoder = new Decoder(input)
        assert.equal(decoder.varUint(), 0)
        assert.equal(decoder.error, 'invalid-value')
      }
      // the shortest forms still read: 0, 128, 2^14
      assert.equal(new Decoder(Uint8Array.of(0x00)).varUint(), 0)
      assert.equal(new Decoder(Uint8Array.of(0x80, 0x01)).varUint(), 128)
      assert.equal(new Decoder(Uint8Array.of(0x80, 0x80, 0x01)).varUint(), 16_384)
    })

    it('a varint cut off mid-way is truncated, not an overflow', () => {
      const decoder = new Decoder(Uint8Array.of(0xff, 0xff, 0xff))
      decoder.varUint()
      assert.equal(decoder.error, 'truncated')
    })

    it('bytes(max) accepts a length of max and rejects max + 1 with length-too-large', () => {
      const atMax = new Decoder(encoded((e) => e.bytes(new Uint8Array(16))))
      assert.equal(atMax.bytes(16).length, 16)
      assert.equal(atMax.done(), true)

      const overMax = new Decoder(encoded((e) => e.bytes(new Uint8Array(17))))
      assert.deepEqual(overMax.bytes(16), new Uint8Array(0))
      assert.equal(overMax.error, 'length-too-large')
    })

    it('a hostile length above max is rejected before it is compared with the input', () => {
      const decoder = new Decoder(encoded((e) => e.varUint(2 ** 40)))
      decoder.bytes(1_024)
      assert.equal(decoder.error, 'length-too-large')
    })

    it('string(max) limits encoded bytes, not characters', () => {
      const value = 'é'.repeat(10) // 20 bytes of UTF-8
      const decoder = new Decoder(encoded((e) => e.string(value)))
      assert.equal(decoder.string(19), '')
      assert.equal(decoder.error, 'length-too-large')
      const enough = new Decoder(encoded((e) => e.string(value)))
      assert.equal(enough.string(20), value)
    })

    it('string() by default rejects more than 65,536 bytes', () => {
      const decoder = new Decoder(encoded((e) => e.string('a'.repeat(65_537))))
      assert.equal(decoder.string(), '')
      assert.equal(decoder.error, 'length-too-large')
    })

    it('count(max) accepts max, rejects max + 1 with length-too-large, and a count beyond the input as truncated', () => {
      const atMax = new Decoder(Uint8Array.of(3, 0, 0, 0))
      assert.equal(atMax.count(3), 3)
      assert.equal(atMax.error, undefined)

      const overMax = new Decoder(Uint8Array.of(4, 0, 0, 0, 0))
      assert.equal(overMax.count(3), 0)
      assert.equal(overMax.error, 'length-too-large')

      const beyondInput = new Decoder(Uint8Array.of(3, 0, 0))
      assert.equal(beyondInput.count(10), 0)
      assert.equal(beyondInput.error, 'truncated')
    })

    it('invalid UTF-8 is rejected with invalid-utf8', () => {
      const cases: [string, Uint8Array][] = [
        ['bad continuation', Uint8Array.of(2, 0xc3, 0x28)],
        ['lone continuation byte', Uint8Array.of(1, 0x80)],
        ['overlong encoding of "/"', Uint8Array.of(2, 0xc0, 0xaf)],
        ['encoded UTF-16 surrogate', Uint8Array.of(3, 0xed, 0xa0, 0x80)],
        ['code point above U+10FFFF', Uint8Array.of(4, 0xf4, 0x90, 0x80, 0x80)],
        ['cut-off sequence', Uint8Array.of(2, 0x61, 0xe2)],
        ['0xff byte in a long string', Uint8Array.of(100, ...new Uint8Array(99).fill(0x61), 0xff)],
      ]
      for (const [name, input] of cases) {
        const decoder = new Decoder(input)
        assert.equal(decoder.string(), '', name)
        assert.equal(decoder.error, 'invalid-utf8', name)
      }
    })

    it('a bool byte other than 0 or 1 is an invalid-value', () => {
      const decoder = new Decoder(Uint8Array.of(2))
      decoder.bool()
      assert.equal(decoder.error, 'invalid-value')
    })

    it('done() flags trailing bytes and otherwise reports success', () => {
      const trailing = new Decoder(Uint8Array.of(1, 2))
      trailing.u8()
      assert.equal(trailing.done(), false)
      assert.equal(trailing.error, 'trailing-bytes')

      const exact = new Decoder(Uint8Array.of(1))
      exact.u8()
      assert.equal(exact.done(), true)
      assert.equal(exact.error, undefined)
    })

    it('done() keeps an earlier reason rather than replacing it with trailing-bytes', () => {
      const decoder = new Decoder(Uint8Array.of(7, 0, 0))
      decoder.bool()
      assert.equal(decoder.done(), false)
      assert.equal(decoder.error, 'invalid-value')
    })

    it('fail() records the first reason only', () => {
      const decoder = new Decoder(new Uint8Array(0))
      decoder.fail('bad-version')
      decoder.fail('unknown-type')
      assert.equal(decoder.error, 'bad-version')
    })

    it('reads from a view with a non-zero byte offset, and bytes() returns a view into the input', () => {
      const body = encoded((e) => {
        e.f64(-2.25)
        e.bytes(Uint8Array.of(9, 8, 7))
      })
      const backing = new Uint8Array(body.length + 5)
      backing.set(body, 3)
      const decoder = new Decoder(backing.subarray(3, 3 + body.length))
      assert.equal(decoder.f64(), -2.25)
      const bytes = decoder.bytes()
      assert.deepEqual(bytes, Uint8Array.of(9, 8, 7))
      assert.equal(bytes.buffer, backing.buffer)
      assert.equal(decoder.done(), true)
    })

    it('law: decoding arbitrary bytes as any field sequence never throws', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fieldArbitrary, { maxLength: 20 }),
          (bytes, fields) => {
            const { decoder } = decodeAll(bytes, fields)
            decoder.count(5)
            decoder.done()
          },
        ),
      )
    })
  })
})
