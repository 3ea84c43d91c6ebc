/**
 * Fuzzes `openFrame` and a small message schema with valid, mutated and random frames. Every case is drawn
 * from `root.fork(caseIndex)`, so a failure names the seed and the case and replays on its own:
 *
 *   MESHWORK_FUZZ_SEED=<seed> npx node --test src/kernel/codec.fuzz.test.ts
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DECODE_ERROR_REASONS, type DecodeErrorReason, type Decoder, Encoder } from './codec.ts'
import { beginFrame, type FrameLimits, openFrame } from './frame.ts'
import { Random } from './random.ts'
import { RejectionCounter } from './rejections.ts'
import { err, ok, type Result } from './result.ts'

const SEED = process.env.MESHWORK_FUZZ_SEED ?? 'codec-fuzz-v1'
const CASE_COUNT = 120_000

// ---- a sample schema: two message types in version-3 frames ---------------------------------------------

const VERSION = 3
const TYPE_ANNOUNCE = 0
const TYPE_PING = 1
const MAX_NAME_BYTES = 48
const MAX_TAGS = 6
const MAX_TAG_BYTES = 24
const MAX_PAYLOAD_BYTES = 96
const MAX_FRAME_BYTES = 1_024
const limits: FrameLimits = { version: VERSION, maxType: TYPE_PING, maxFrameBytes: MAX_FRAME_BYTES }

interface Announce {
  readonly type: typeof TYPE_ANNOUNCE
  readonly sequence: number
  readonly name: string
  readonly tags: readonly string[]
  readonly payload: Uint8Array
  readonly urgent: boolean
}

interface Ping {
  readonly type: typeof TYPE_PING
  readonly nonce: number
  readonly sentAtMs: number
}

type Message = Announce | Ping

function encodeMessage(message: Message): Uint8Array {
  const encoder = beginFrame(VERSION, message.type, new Encoder(32))
  if (message.type === TYPE_PING) {
    encoder.varUint(message.nonce)
    encoder.f64(message.sentAtMs)
  } else {
    encoder.varUint(message.sequence)
    encoder.string(message.name)
    encoder.varUint(message.tags.length)
    for (const tag of message.tags) encoder.string(tag)
    encoder.bytes(message.payload)
    encoder.bool(message.urgent)
  }
  return encoder.finish()
}

function decodeAnnounce(decoder: Decoder): Announce {
  const sequence = decoder.varUint()
  const name = decoder.string(MAX_NAME_BYTES)
  const tagCount = decoder.count(MAX_TAGS)
  const tags: string[] = []
  for (let i = 0; i < tagCount; i++) tags.push(decoder.string(MAX_TAG_BYTES))
  const payload = decoder.bytes(MAX_PAYLOAD_BYTES)
  const urgent = decoder.bool()
  return { type: TYPE_ANNOUNCE, sequence, name, tags, payload, urgent }
}

function decodePing(decoder: Decoder): Ping {
  const nonce = decoder.varUint()
  const sentAtMs = decoder.f64()
  if (!(sentAtMs >= 0)) decoder.fail('invalid-value') // also rejects NaN
  return { type: TYPE_PING, nonce, sentAtMs }
}

function decodeMessage(bytes: Uint8Array): Result<Message, DecodeErrorReason> {
  const opened = openFrame(bytes, limits)
  if (!opened.ok) return opened
  const { header, decoder } = opened.value
  const message = header.type === TYPE_PING ? decodePing(decoder) : decodeAnnounce(decoder)
  return decoder.done() ? ok(message) : err(decoder.error ?? 'invalid-value')
}

// ---- generators ----------------------------------------------------------------------------------------

const NAME_ALPHABET = ['a', 'b', 'z', '0', '-', '_', 'é', 'ß', 'Ж', '中', '😀', '\u0000', '\uFEFF']

function randomText(random: Random, maxChars: number): string {
  let text = ''
  const length = random.intBelow(maxChars + 1)
  const ascii = random.chance(0.5)
  for (let i = 0; i < length; i++) {
    text += ascii ? String.fromCharCode(0x20 + random.intBelow(95)) : (random.pick(NAME_ALPHABET) ?? 'a')
  }
  return text
}

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.intBelow(256))
}

/** Small, medium and full-width safe integers, so varints of every length occur. */
function randomVarUint(random: Random): number {
  const width = random.intBelow(4)
  if (width === 0) return random.intBelow(128)
  if (width === 1) return random.intBelow(2 ** 21)
  if (width === 2) return random.nextU32()
  return random.nextU32() * 2 ** 21 + (random.nextU32() >>> 11)
}

function randomMessage(random: Random): Message {
  if (random.chance(0.2)) {
    return { type: TYPE_PING, nonce: randomVarUint(random), sentAtMs: random.floatBetween(0, 1e12) }
  }
  return {
    type: TYPE_ANNOUNCE,
    sequence: randomVarUint(random),
    name: randomText(random, 12), // ≤ 12 characters of ≤ 4 bytes each stays within MAX_NAME_BYTES
    tags: Array.from({ length: random.intBelow(MAX_TAGS + 1) }, () => randomText(random, 6)),
    payload: randomBytes(random, random.intBelow(MAX_PAYLOAD_BYTES + 1)),
    urgent: random.chance(0.5),
  }
}

// ---- mutations -----------------------------------------------------------------------------------------

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xc0, 0xed, 0xff]

function splice(bytes: Uint8Array, at: number, deleteCount: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - deleteCount + insert.length)
  out.set(bytes.subarray(0, at))
  out.set(insert, at)
  out.set(bytes.subarray(at + deleteCount), at + insert.length)
  return out
}

const mutations: Record<string, (random: Random, bytes: Uint8Array) => Uint8Array> = {
  'flip bits': (random, bytes) => {
    const out = bytes.slice()
    const flips = 1 + random.intBelow(4)
    for (let i = 0; i < flips && out.length > 0; i++) {
      const index = random.intBelow(out.length)
      out[index] = (out[index] ?? 0) ^ (1 << random.intBelow(8))
    }
    return out
  },
  'set interesting byte': (random, bytes) => {
    const out = bytes.slice()
    if (out.length > 0) out[random.intBelow(out.length)] = random.pick(INTERESTING_BYTES) ?? 0
    return out
  },
  truncate: (random, bytes) => (bytes.length === 0 ? bytes : bytes.slice(0, random.intBelow(bytes.length))),
  'insert bytes': (random, bytes) =>
    splice(bytes, random.intBelow(bytes.length + 1), 0, randomBytes(random, 1 + random.intBelow(8))),
  'delete bytes': (random, bytes) => {
    if (bytes.length === 0) return bytes
    const at = random.intBelow(bytes.length)
    return splice(bytes, at, Math.min(bytes.length - at, 1 + random.intBelow(8)), new Uint8Array(0))
  },
  'append bytes': (random, bytes) =>
    splice(bytes, bytes.length, 0, randomBytes(random, 1 + random.intBelow(4))),
  'insert varint run': (random, bytes) =>
    splice(bytes, random.intBelow(bytes.length + 1), 0, new Uint8Array(8 + random.intBelow(4)).fill(0xff)),
  'random bytes': (random) => randomBytes(random, random.intBelow(80)),
  'random bytes behind a valid header': (random) =>
    splice(Uint8Array.of(VERSION, random.intBelow(2)), 2, 0, randomBytes(random, random.intBelow(80))),
  'over-size': (random, bytes) =>
    splice(
      bytes,
      bytes.length,
      0,
      new Uint8Array(Math.max(0, MAX_FRAME_BYTES + 1 - bytes.length) + random.intBelow(64)),
    ),
}
const mutationNames = Object.keys(mutations)

function mutate(random: Random, bytes: Uint8Array): Uint8Array {
  let out = bytes
  const rounds = random.chance(0.7) ? 1 : 2 + random.intBelow(3)
  for (let i = 0; i < rounds; i++) {
    const mutation = mutations[random.pick(mutationNames) ?? 'truncate']
    if (mutation !== undefined) out = mutation(random, out)
  }
  return out
}

// ---- the fuzz run --------------------------------------------------------------------------------------

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

describe('codec fuzzing', () => {
  it(`decodes ${CASE_COUNT.toLocaleString('en')} valid frames to the original and rejects mutated frames without throwing`, (t) => {
    const root = new Random(SEED)
    const rejections = new RejectionCounter<DecodeErrorReason>()
    let accepted = 0
    let nonCanonical = 0
    const replay = (caseIndex: number): string => `seed ${JSON.stringify(SEED)}, case ${caseIndex}`

    for (let caseIndex = 0; caseIndex < CASE_COUNT; caseIndex++) {
      const random = root.fork(caseIndex)
      const message = randomMessage(random)
      const valid = encodeMessage(message)
      assert.deepEqual(
        decodeMessage(valid),
        ok(message),
        `valid frame did not round-trip (${replay(caseIndex)})`,
      )

      const mutated = mutate(random, valid)
      let result: Result<Message, DecodeErrorReason>
      try {
        result = decodeMessage(mutated)
      } catch (error) {
        assert.fail(`decoding threw ${String(error)} on ${hex(mutated)} (${replay(caseIndex)})`)
      }
      if (!result.ok) {
        // every rejection carries one of the declared reasons, never an ad hoc string or undefined
        assert.ok(
          (DECODE_ERROR_REASONS as readonly string[]).includes(result.error),
          `untyped rejection ${String(result.error)} (${replay(caseIndex)})`,
        )
        rejections.add(result.error)
        continue
      }
      // An accepted mutant must be a well-formed message: it re-encodes to a frame that decodes to the
      // same message. (Not necessarily to the mutant's bytes: varints are read like protobuf's, so an
      // over-long varint decodes to its value; signatures are over re-encoded bytes, never over frames.)
      accepted++
      const again = encodeMessage(result.value)
      assert.deepEqual(
        decodeMessage(again),
        result,
        `accepted mutant does not round-trip (${replay(caseIndex)})`,
      )
      if (!bytesEqual(again, mutated)) nonCanonical++
    }

    t.diagnostic(
      `seed ${JSON.stringify(SEED)}: ${accepted} mutants accepted, ${nonCanonical} of them not canonical`,
    )
    t.diagnostic(`rejections ${JSON.stringify(rejections.toJSON())}`)
    // mutations rarely keep a frame valid: most mutants are refused, and some are not (or the mutator is broken)
    assert.ok(accepted > 0, `no mutant was accepted (seed ${SEED})`)
    const expectedReasons = DECODE_ERROR_REASONS
    for (const reason of expectedReasons) {
      assert.ok(
        rejections.get(reason) > 0,
        `no ${reason} rejections in ${JSON.stringify(rejections.toJSON())} (seed ${JSON.stringify(SEED)})`,
      )
    }
    assert.ok(rejections.total > CASE_COUNT / 2, `only ${rejections.total} rejections (seed ${SEED})`)
  })
})
