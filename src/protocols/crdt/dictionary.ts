/**
 * Dictionary encoding of actor and writer ids: a state names the same few ids under many keys, so a body
 * writes each id once, in `compareStrings` order, and refers to it by its index (a one-byte varint for the
 * first 128 ids). The order makes the dictionary canonical; a decoder also refuses ids no entry uses.
 */
import type { Decoder, Encoder } from '../../kernel/index.ts'
import { type CrdtLimits, compareStrings } from './crdt.ts'

/** Writes the distinct `ids` sorted, and returns each id's index. */
export function writeDictionary(encoder: Encoder, ids: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(ids)].sort(compareStrings)
  const indexOf = new Map<string, number>()
  encoder.varUint(sorted.length)
  for (const id of sorted) {
    indexOf.set(id, indexOf.size)
    encoder.string(id)
  }
  return indexOf
}

/** Reads a strictly ascending list of at most `maxActors` ids, each at most `maxKeyBytes`. */
export function readDictionary(decoder: Decoder, limits: CrdtLimits): string[] {
  const count = decoder.count(limits.maxActors)
  const ids: string[] = []
  for (let i = 0; i < count && decoder.error === undefined; i++) {
    const id = decoder.string(limits.maxKeyBytes)
    const previous = ids[ids.length - 1]
    if (previous !== undefined && compareStrings(previous, id) >= 0) decoder.fail('invalid-value')
    ids.push(id)
  }
  return ids
}
