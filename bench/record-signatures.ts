/**
 * Question: what does checking a signed member record cost?
 *
 * Every member signs its own record (issue 8, 5g), and a node checks the signature of each record that is
 * news to it: a member it does not know, or a higher incarnation. This measures the real path — the
 * record's signed bytes (`signedRecordBytes`) checked by the libp2p engine's `Ed25519Signer` — per record,
 * for members whose public key is cached (the common case: a member seen before) and for members seen for
 * the first time (the key is imported from the peer id), and signing, beside the simulator's stand-in.
 *
 * Usage: node bench/record-signatures.ts [--members 1000] [--repeats 7]
 * Writes bench/results/record-signatures-<date>.json.
 */
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Ed25519Signer } from '../src/engines/libp2p/ed25519-signer.ts'
import { StandInSigner } from '../src/kernel/index.ts'
import { DEFAULT_PROFILE, signedRecordBytes } from '../src/protocols/membership/index.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: { members: { type: 'string', default: '1000' }, repeats: { type: 'string', default: '7' } },
})
const members = Number(values.members)
const repeats = Number(values.repeats)

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Microseconds per call of `work` over `count` calls, median of the repeats. */
function microsecondsPer(count: number, work: () => void): number {
  const samples = Array.from({ length: repeats }, () => {
    const start = performance.now()
    work()
    return ((performance.now() - start) * 1000) / count
  })
  return Math.round(median(samples) * 100) / 100
}

const keys = await Promise.all(Array.from({ length: members }, () => generateKeyPair('Ed25519')))
const records = keys.map((key, i) => {
  const id = peerIdFromPrivateKey(key).toString()
  const record = {
    id,
    incarnation: i % 7,
    addresses: [`/ip4/10.0.${i >> 8}.${i & 255}/tcp/4001`, `/ip4/10.0.${i >> 8}.${i & 255}/udp/4001/quic-v1`],
    profile: { ...DEFAULT_PROFILE, labels: ['linux'], capacity: 4, region: 'eu-west' },
  }
  const bytes = signedRecordBytes(record)
  return { id, bytes, signature: new Ed25519Signer(key).sign(bytes), signer: new Ed25519Signer(key) }
})
const checker = new Ed25519Signer(await generateKeyPair('Ed25519'))
for (const r of records)
  if (!checker.verify(r.id, r.bytes, r.signature)) throw new Error('a signature failed')

const verifyCachedUs = microsecondsPer(members, () => {
  for (const r of records) checker.verify(r.id, r.bytes, r.signature)
})
const verifyFirstSeenUs = microsecondsPer(members, () => {
  const fresh = new Ed25519Signer(keys[0] as never)
  for (const r of records) fresh.verify(r.id, r.bytes, r.signature)
})
const signUs = microsecondsPer(members, () => {
  for (const r of records) r.signer.sign(r.bytes)
})
const encodeUs = microsecondsPer(members, () => {
  for (let i = 0; i < members; i++)
    signedRecordBytes({
      id: records[i]?.id as string,
      incarnation: i,
      addresses: [],
      profile: DEFAULT_PROFILE,
    })
})
const standIn = records.map((r) => ({ ...r, signature: new StandInSigner(r.id).sign(r.bytes) }))
const standInChecker = new StandInSigner('checker')
const standInVerifyUs = microsecondsPer(members, () => {
  for (const r of standIn) standInChecker.verify(r.id, r.bytes, r.signature)
})

const result = {
  members,
  repeats,
  recordBytes: records[0]?.bytes.length,
  ed25519: {
    verifyCachedKeyMicroseconds: verifyCachedUs,
    verifyFirstSeenMicroseconds: verifyFirstSeenUs,
    verifiesPerSecondCached: Math.round(1e6 / verifyCachedUs),
    signMicroseconds: signUs,
  },
  signedBytesEncodeMicroseconds: encodeUs,
  standInVerifyMicroseconds: standInVerifyUs,
  /** What a node spends checking every record once when it joins a realm of this many members. */
  joinCheckMs: Math.round((members * verifyFirstSeenUs) / 1000),
}
const path = writeResult('record-signatures', result)
process.stdout.write(`${JSON.stringify(result)}\n${path}\n`)
