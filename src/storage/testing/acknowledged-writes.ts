/**
 * What the crash writer (`crash-writer.ts`) writes and prints, shared with the test that kills it: delta
 * bytes derived from a counter, snapshots that list the sequence numbers they fold in, and the lines that
 * acknowledge each write once `appendDelta` has returned.
 */
import { fmix32 } from '../../kernel/index.ts'

export const CRASH_OBJECTS = ['alpha', 'beta'] as const
export const MAX_CRASH_BATCH = 8

/** 12 bytes: the counter and two words hashed from it, so a torn or misplaced delta cannot pass. */
export function crashDelta(counter: number): Uint8Array {
  const bytes = new Uint8Array(12)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, counter, true)
  view.setUint32(4, fmix32(counter), true)
  view.setUint32(8, fmix32(counter ^ 0x5bd1e995), true)
  return bytes
}

/** A snapshot's bytes: the sequence numbers of the deltas it folds in, little-endian u32s. */
export function encodeFolded(seqs: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(seqs.length * 4)
  const view = new DataView(bytes.buffer)
  seqs.forEach((seq, i) => {
    view.setUint32(i * 4, seq, true)
  })
  return bytes
}

export function decodeFolded(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true))
}

export interface Acknowledgement {
  readonly seq: number
  readonly name: string
  readonly counter: number
}

export function formatAck(ack: Acknowledgement): string {
  return `ack ${ack.seq} ${ack.name} ${ack.counter}\n`
}

/** The acknowledgement on one line of the writer's output, or undefined for any other line. */
export function parseAck(line: string): Acknowledgement | undefined {
  const [word, seq, name, counter] = line.split(' ')
  if (word !== 'ack' || seq === undefined || name === undefined || counter === undefined) return undefined
  return { seq: Number(seq), name, counter: Number(counter) }
}
