/**
 * A checksum per stored row, verified at load, so a flipped byte inside a BLOB is caught: SQLite's checks
 * (`quick_check`, `integrity_check`) verify page and b-tree structure, never the bytes of a value.
 *
 * CRC-32 (zlib's, native in Node), not SHA-256: the threat is accidental corruption (a bad sector, a
 * flipped bit in RAM or on the bus), not an adversary, who could rewrite any checksum in the same file.
 * CRC-32 detects every burst of up to 32 flipped bits and misses random damage with probability 2⁻³²;
 * LevelDB, RocksDB and Kafka protect their records with a CRC-32 for the same reason. The rows that
 * count are deltas (100,000 checked at load): on 100 bytes CRC-32 took 0.37 µs, node:crypto's SHA-256
 * 1.7 µs and @noble/hashes' 5.6 µs; on a 10 MB snapshot 7.0 ms, 6.9 ms (hardware SHA) and 64 ms
 * (bench/state-store.ts, bench/results/state-store-2026-12-02.json).
 *
 * Each checksum covers the row's identity as well as its bytes (the sequence number and object name of a
 * delta; name, type, capacity and sequence of a snapshot), so a damaged key or a value that lands under
 * another row is caught too. A delta's identity is the CRC's initial value, `hashString(name, seq)`:
 * for a given name that is one-to-one in the sequence number (below 2³²), and a CRC started from another
 * value always ends at another value, so one native call per delta suffices (load checks 100,000 of
 * them). An object row is rare; its identity goes in as JSON, which is unambiguous for any name.
 */
import { crc32 } from 'node:zlib'
import { hashString } from '../kernel/index.ts'

export function deltaChecksum(seq: number, name: string, delta: Uint8Array): number {
  return crc32(delta, hashString(name, seq))
}

export interface ObjectRow {
  readonly name: string
  readonly type: string
  readonly capacity: number | null
  readonly snapshotSeq: number
  /** Null until the first snapshot is written. */
  readonly snapshot: Uint8Array | null
}

export function objectChecksum(row: ObjectRow): number {
  const identity = JSON.stringify([
    'object',
    row.name,
    row.type,
    row.capacity,
    row.snapshotSeq,
    row.snapshot !== null,
  ])
  return row.snapshot === null ? crc32(identity) : crc32(row.snapshot, crc32(identity))
}
