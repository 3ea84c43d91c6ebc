/**
 * The versioned binary codec of replicated states: one type-tag byte and one version byte, then the
 * type's canonical body (riak_dt's `to_binary/1` layout: tag 75, version 1, then the body). Canonical
 * means one encoding per state: keys, ids, actors and dots are written in `compareStrings` order and no
 * redundant field is written, so equal states encode to equal bytes, and replicas that converged report
 * the same fingerprint (`fingerprint.ts`).
 *
 * Decoding is total (`kernel/codec.ts`): hostile bytes yield a reason, never an exception, and every count
 * and length is checked against `CrdtLimits` before anything is allocated. A body that is not in
 * canonical form (out of order, a duplicate key, a value out of range) is refused as `invalid-value`,
 * since accepting it would let two different byte strings stand for one state.
 */
import { type DecodeErrorReason, Decoder, Encoder, err, ok, type Result } from '../../kernel/index.ts'
import { AwSet, decodeAwSetBody } from './aw-set.ts'
import { decodeGCounterMapBody, decodePnCounterMapBody, GCounterMap, PnCounterMap } from './counter-map.ts'
import { type CrdtLimits, type CrdtType, DEFAULT_CRDT_LIMITS } from './crdt.ts'
import { decodeLwwMapBody, LwwMap } from './lww-map.ts'
import { decodeTopNMapBody, TopNMap } from './top-n-map.ts'

/** Every replicated state. */
export type AnyCrdt = AwSet | TopNMap | LwwMap | PnCounterMap | GCounterMap

/** The version of every body layout below; a decoder refuses versions it does not know. */
export const CRDT_CODEC_VERSION = 1

const TAGS: Readonly<Record<CrdtType, number>> = Object.freeze({
  set: 1,
  topN: 2,
  map: 3,
  counter: 4,
  gcounter: 5,
})
const TYPE_OF_TAG: ReadonlyMap<number, CrdtType> = new Map(
  (Object.entries(TAGS) as [CrdtType, number][]).map(([type, tag]) => [tag, type]),
)

/** Writes `state` (tag, version, body) into `encoder`. */
export function writeCrdt(encoder: Encoder, state: AnyCrdt): void {
  encoder.u8(TAGS[state.type])
  encoder.u8(CRDT_CODEC_VERSION)
  state.encodeBody(encoder)
}

export function encodeCrdt(state: AnyCrdt): Uint8Array {
  const encoder = new Encoder()
  writeCrdt(encoder, state)
  return encoder.finish()
}

/** Reads one state from `decoder`; check `decoder.error` after. `undefined` on failure. */
export function readCrdt(decoder: Decoder, limits: CrdtLimits = DEFAULT_CRDT_LIMITS): AnyCrdt | undefined {
  const tag = decoder.u8()
  const version = decoder.u8()
  if (decoder.error !== undefined) return undefined
  const type = TYPE_OF_TAG.get(tag)
  if (type === undefined) {
    decoder.fail('unknown-type')
    return undefined
  }
  if (version !== CRDT_CODEC_VERSION) {
    decoder.fail('bad-version')
    return undefined
  }
  let state: AnyCrdt
  switch (type) {
    case 'set':
      state = decodeAwSetBody(decoder, limits)
      break
    case 'topN':
      state = decodeTopNMapBody(decoder, limits)
      break
    case 'map':
      state = decodeLwwMapBody(decoder, limits)
      break
    case 'counter':
      state = decodePnCounterMapBody(decoder, limits)
      break
    case 'gcounter':
      state = decodeGCounterMapBody(decoder, limits)
      break
  }
  return decoder.error === undefined ? state : undefined
}

/** Decodes one whole state; trailing bytes are an error. */
export function decodeCrdt(
  bytes: Uint8Array,
  limits: CrdtLimits = DEFAULT_CRDT_LIMITS,
): Result<AnyCrdt, DecodeErrorReason> {
  const decoder = new Decoder(bytes)
  const state = readCrdt(decoder, limits)
  if (state === undefined || !decoder.done()) return err(decoder.error ?? 'invalid-value')
  return ok(state)
}

// the classes are re-exported here too so that a caller decoding states can narrow them
export { AwSet, GCounterMap, LwwMap, PnCounterMap, TopNMap }
