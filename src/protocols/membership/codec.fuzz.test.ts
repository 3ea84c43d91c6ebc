/**
 * Fuzzes the membership decoder with 100,000 random and mutated frames: it must never throw, and every
 * rejection must carry a reason, tallied here. Cases derive from one seed, so a failure replays:
 *
 *   MESHWORK_FUZZ_SEED=<seed> npx node --test src/protocols/membership/codec.fuzz.test.ts
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { CONNECTION_CLASSES, DECODE_ERROR_REASONS, Random, RejectionCounter } from '../../kernel/index.ts'
import { decodeMessage, encodeMessage } from './codec.ts'
import type { MemberRecord, MembershipMessage, MemberUpdate } from './types.ts'

const SEED = process.env.MESHWORK_FUZZ_SEED ?? 'membership-codec-fuzz-v1'
const CASES = 100_000

function randomId(random: Random): string {
  return `12D3KooW${random.nextU32().toString(36)}${random.nextU32().toString(36)}`
}

function randomRecord(random: Random): MemberRecord {
  return {
    id: randomId(random),
    incarnation: random.intBelow(1_000),
    state: 'alive',
    addresses: Array.from(
      { length: random.intBelow(3) },
      (_, i) => `/ip4/127.0.0.${i}/tcp/${random.intBelow(65_536)}`,
    ),
    profile: {
      labels: Array.from(
        { length: random.intBelow(3) },
        () => random.pick(['gpu', 'linux', 'edge', 'ünïcode']) ?? '',
      ),
      capacity: random.intBelow(64),
      memoryMb: random.intBelow(65_536),
      connectionClass: random.pick(CONNECTION_CLASSES) ?? 'lan',
      region: random.pick(['', 'eu-west', 'us-east']) ?? '',
      hidden: random.chance(0.2),
    },
    signature: Uint8Array.from({ length: random.intBelow(65) }, () => random.intBelow(256)),
  }
}

function randomUpdate(random: Random): MemberUpdate {
  switch (random.intBelow(4)) {
    case 0:
      return { kind: 'alive', record: randomRecord(random) }
    case 1:
      return {
        kind: 'suspect',
        id: randomId(random),
        incarnation: random.intBelow(100),
        from: randomId(random),
      }
    case 2:
      return {
        kind: 'failed',
        id: randomId(random),
        incarnation: random.intBelow(100),
        from: randomId(random),
      }
    default:
      return { kind: 'left', id: randomId(random), incarnation: random.intBelow(100) }
  }
}

function randomMessage(random: Random): MembershipMessage {
  const updates = (): MemberUpdate[] => Array.from({ length: random.intBelow(4) }, () => randomUpdate(random))
  switch (random.intBelow(7)) {
    case 0:
      return { type: 'ping', seq: random.intBelow(1 << 30), updates: updates() }
    case 1:
      return { type: 'ack', seq: random.intBelow(1 << 30), updates: updates() }
    case 2:
      return { type: 'ping-req', seq: random.intBelow(1 << 30), target: randomId(random), updates: updates() }
    case 3:
      return { type: 'nack', seq: random.intBelow(1 << 30) }
    case 4:
      return { type: 'gossip', updates: updates() }
    case 5:
      return { type: 'state-digest', digest: random.nextU32(), members: random.intBelow(1 << 20) }
    default:
      return {
        type: 'push-pull',
        join: random.chance(0.5),
        reply: random.chance(0.5),
        records: Array.from({ length: random.intBelow(4) }, () => randomRecord(random)),
      }
  }
}

/** One mutation of a valid frame: flips, overwrites, cuts, insertions, or plain random bytes. */
function mutate(random: Random, frame: Uint8Array): Uint8Array {
  const bytes = Array.from(frame)
  const edits = 1 + random.intBelow(3)
  for (let e = 0; e < edits; e++) {
    const at = random.intBelow(Math.max(1, bytes.length))
    switch (random.intBelow(6)) {
      case 0:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << random.intBelow(8))
        break
      case 1:
        bytes[at] = random.pick([0, 1, 0x7f, 0x80, 0xff]) ?? 0
        break
      case 2:
        bytes.length = at
        break
      case 3:
        bytes.splice(at, 0, ...Array.from({ length: 1 + random.intBelow(8) }, () => random.intBelow(256)))
        break
      case 4:
        bytes.splice(at, 1 + random.intBelow(4))
        break
      default:
        return Uint8Array.from({ length: random.intBelow(64) }, () => random.intBelow(256))
    }
  }
  return Uint8Array.from(bytes)
}

it(`decodes ${CASES.toLocaleString('en-US')} random and mutated membership frames without throwing, counting every rejection by reason`, () => {
  const root = new Random(SEED)
  const rejections = new RejectionCounter()
  let accepted = 0
  for (let i = 0; i < CASES; i++) {
    const random = root.fork(i)
    const original = randomMessage(random)
    const frame = encodeMessage(original)
    const valid = decodeMessage(frame)
    assert.ok(valid.ok, `seed ${SEED} case ${i}: a valid frame was rejected`)
    assert.deepEqual(valid.value, original, `seed ${SEED} case ${i}: round trip changed the message`)
    const mutant = mutate(random, frame)
    let result: ReturnType<typeof decodeMessage>
    try {
      result = decodeMessage(mutant)
    } catch (error) {
      assert.fail(`seed ${SEED} case ${i}: the decoder threw ${String(error)}`)
    }
    if (result.ok) {
      accepted++
      // whatever a mutant decodes to must be a well-formed message that round-trips to itself
      assert.deepEqual(
        decodeMessage(encodeMessage(result.value)),
        result,
        `seed ${SEED} case ${i}: accepted mutant does not round-trip`,
      )
    } else {
      assert.ok(
        (DECODE_ERROR_REASONS as readonly string[]).includes(result.error),
        `seed ${SEED} case ${i}: untyped rejection ${String(result.error)}`,
      )
      rejections.add(result.error)
    }
  }
  const tally = rejections.toJSON()
  process.stdout.write(
    `membership codec fuzz (seed ${SEED}): ${accepted} mutants accepted, rejected ${JSON.stringify(tally)}\n`,
  )
  assert.ok(
    accepted > 0 && rejections.total > CASES / 2,
    `accepted ${accepted}, rejected ${rejections.total}`,
  )
  assert.ok(Object.keys(tally).length >= 5, `too few rejection reasons seen: ${JSON.stringify(tally)}`)
})
