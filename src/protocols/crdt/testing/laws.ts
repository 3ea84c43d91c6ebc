/**
 * The laws every CRDT here must satisfy, as fast-check properties shared by the types' tests:
 * commutativity, associativity and idempotence of `merge`; the delta-mutator law m(X) = X ⊔ mδ(X)
 * (Almeida et al., JPDC 2018, Definition 2); `merge` reports a change exactly when the state changed; and
 * the codec's round trip; and the join decomposition that anti-entropy ships (`checkDecomposition`). States are compared by their canonical encodings (`codec.ts`).
 *
 * States come from each type's arbitrary, which should build them as replicas do (mutators on a few
 * actors, merges between them), so that the laws are checked on reachable states.
 */
import fc from 'fast-check'
import { encodeCrdt } from '../codec.ts'
import type { AnyCrdt } from '../index.ts'

/** Runs per law, as the issue asks (≥ 10,000). */
export const LAW_RUNS = 10_000

function runOptions(options: LawOptions): { numRuns: number; seed?: number } {
  const runs = { numRuns: options.runs ?? LAW_RUNS }
  return options.seed === undefined ? runs : { ...runs, seed: options.seed }
}

/** The canonical encoding as text, so that states compare with ===. */
function bytes(state: AnyCrdt): string {
  return encodeCrdt(state).join(',')
}

function joined<S extends AnyCrdt>(a: S, b: S): S {
  const out = a.clone() as S
  ;(out as { merge(other: S): boolean }).merge(b)
  return out
}

export function assertSameState(actual: AnyCrdt, expected: AnyCrdt, message?: string): void {
  const a = bytes(actual)
  const b = bytes(expected)
  if (a !== b) throw new Error(`${message ?? 'states differ'}: ${a} ≠ ${b}`)
}

export interface LawOptions {
  readonly runs?: number
  readonly seed?: number
}

export function checkCommutativity<S extends AnyCrdt>(
  states: fc.Arbitrary<S>,
  options: LawOptions = {},
): void {
  fc.assert(
    fc.property(states, states, (a, b) => bytes(joined(a, b)) === bytes(joined(b, a))),
    runOptions(options),
  )
}

export function checkAssociativity<S extends AnyCrdt>(
  states: fc.Arbitrary<S>,
  options: LawOptions = {},
): void {
  fc.assert(
    fc.property(
      states,
      states,
      states,
      (a, b, c) => bytes(joined(joined(a, b), c)) === bytes(joined(a, joined(b, c))),
    ),
    runOptions(options),
  )
}

/** a ⊔ a = a, and (a ⊔ b) ⊔ b = a ⊔ b (merging what was merged changes nothing, and says so). */
export function checkIdempotence<S extends AnyCrdt>(states: fc.Arbitrary<S>, options: LawOptions = {}): void {
  fc.assert(
    fc.property(states, states, (a, b) => {
      const self = a.clone() as S
      const changedBySelf = (self as { merge(other: S): boolean }).merge(a)
      const ab = joined(a, b)
      const again = ab.clone() as S
      const changedAgain = (again as { merge(other: S): boolean }).merge(b)
      return !changedBySelf && bytes(self) === bytes(a) && !changedAgain && bytes(again) === bytes(ab)
    }),
    runOptions(options),
  )
}

/**
 * The join decomposition behind anti-entropy: the fragments of a state join back to it, and a replica
 * that joins the fragments of another it does not hold itself (compared by encoding, as reconciliation
 * compares their hashes) reaches the join of both states.
 */
export function checkDecomposition<S extends AnyCrdt>(
  states: fc.Arbitrary<S>,
  options: LawOptions = {},
): void {
  const parts = (state: S): S[] => (state as unknown as { fragments(): S[] }).fragments()
  const joinAll = (into: S, fragments: readonly S[]): S => {
    const out = into.clone() as S
    for (const fragment of fragments) (out as { merge(other: S): boolean }).merge(fragment)
    return out
  }
  fc.assert(
    fc.property(states, states, (a, b) => {
      const fragmentsA = parts(a)
      if (fragmentsA.some((fragment) => !bytes(joined(a, fragment)).includes(bytes(a)))) return false
      if (fragmentsA.length === 0 && !a.isEmpty()) return false
      const heldByB = new Set(parts(b).map(bytes))
      const missing = fragmentsA.filter((fragment) => !heldByB.has(bytes(fragment)))
      const reconciled = joinAll(b, missing)
      const whole = fragmentsA.length === 0 ? a : joinAll(fragmentsA[0] as S, fragmentsA.slice(1))
      return bytes(reconciled) === bytes(joined(a, b)) && bytes(whole) === bytes(a)
    }),
    runOptions(options),
  )
}

/** `merge` returns true exactly when the encoding changed. */
export function checkChangeReport<S extends AnyCrdt>(
  states: fc.Arbitrary<S>,
  options: LawOptions = {},
): void {
  fc.assert(
    fc.property(states, states, (a, b) => {
      const before = bytes(a)
      const out = a.clone() as S
      const changed = (out as { merge(other: S): boolean }).merge(b)
      return changed === (bytes(out) !== before)
    }),
    runOptions(options),
  )
}

/**
 * m(X) = X ⊔ mδ(X): `mutate` applies one operation to a state in place and returns its delta (or
 * `undefined` when the operation changes nothing, which must then leave the state as it was).
 */
export function checkDeltaLaw<S extends AnyCrdt, Op>(
  states: fc.Arbitrary<S>,
  ops: fc.Arbitrary<Op>,
  mutate: (state: S, op: Op) => S | undefined,
  options: LawOptions = {},
): void {
  fc.assert(
    fc.property(states, ops, (x, op) => {
      const mutated = x.clone() as S
      const delta = mutate(mutated, op)
      if (delta === undefined) return bytes(mutated) === bytes(x)
      return bytes(mutated) === bytes(joined(x, delta))
    }),
    runOptions(options),
  )
}
