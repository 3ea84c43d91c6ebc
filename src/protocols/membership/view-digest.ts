/**
 * A digest of a membership view, so that two members can tell in a few bytes whether a full-state
 * exchange would teach either of them anything.
 *
 * The digest is an additive multiset hash (Clarke, Devadas, van Dijk, Gassend, Suh, "Incremental Multiset
 * Hash Functions and Their Application to Memory Integrity Checking", ASIACRYPT 2003, MSet-Add-Hash): the
 * sum modulo 2^32 of a hash of each record's (id, incarnation, state). Order does not matter, and adding,
 * removing or changing one record moves the sum in O(1), so the member table keeps it up to date as it
 * changes. Only what merging could change is hashed: addresses and profile change only with the
 * incarnation. 32 bits are for honest peers: two different views agree by chance about once in 4·10⁹
 * comparisons, which costs one skipped repair until the next exchange; a dishonest peer can skip an
 * exchange anyway by not answering.
 */
import { fmix32, hashString } from '../../kernel/index.ts'
import type { MemberRecord, MemberState } from './types.ts'

const TWO_POW_32 = 0x1_0000_0000
const STATE_SALT: Readonly<Record<MemberState, number>> = {
  alive: 0x3c6ef372,
  suspect: 0xa54ff53a,
  failed: 0x510e527f,
  left: 0x9b05688c,
}

/** The hash of one record's (id, incarnation, state), a uint32. */
export function recordDigest(record: MemberRecord): number {
  const incarnation = record.incarnation
  const low = incarnation >>> 0
  const high = Math.floor(incarnation / TWO_POW_32) >>> 0
  let hash = hashString(record.id)
  hash = fmix32(hash ^ low ^ STATE_SALT[record.state])
  return fmix32(hash ^ Math.imul(high, 0x85ebca6b))
}

/** `digest` with `added` records' hashes added and `removed` ones' taken away, modulo 2^32. */
export function addToDigest(digest: number, added: number, removed = 0): number {
  return (digest + added - removed) >>> 0
}
