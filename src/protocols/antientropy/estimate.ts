/**
 * How many differences a mismatched range holds, estimated from the ranges beside it, so that it can be
 * split into enough children to leave about one difference in each (`policy.ts`).
 *
 * Model: differences fall on items independently, ρ per item, so a range of s items holds a Poisson(ρs)
 * number of them and matches with probability e^{−ρs}. Among the children of one message, k of K
 * mismatched: ρ solves Σ (1 − e^{−ρ s_i}) = k. When every child mismatched that equation has no finite
 * root, and the spread of the count differences speaks instead: each side's surplus in a range is
 * Poisson, so the difference of the two counts has variance ρs whichever side the differences are on.
 * Negentropy splits every range 16 ways whatever it holds; the estimate is this module's addition.
 */

export interface ChildObservation {
  /** Items in the range on the larger side. */
  readonly size: number
  /** This side's count minus the other side's. */
  readonly delta: number
  readonly mismatched: boolean
}

const BISECTION_STEPS = 48

/** Differences per item, or 0 when nothing mismatched. */
export function estimateDensity(children: readonly ChildObservation[]): number {
  let occupied = 0
  let mismatched = 0
  let totalSize = 0
  for (const child of children) {
    if (child.size === 0) continue
    occupied++
    totalSize += child.size
    if (child.mismatched) mismatched++
  }
  if (mismatched === 0) return 0
  // saturated: aim for one range in two matching less often than seen, a lower bound on ρ
  const target = mismatched < occupied ? mismatched : occupied - 0.5
  let density = solveDensity(children, target, totalSize)
  if (mismatched === occupied) density = Math.max(density, spreadDensity(children, occupied, totalSize))
  return density
}

/** The expected differences of a mismatched range of `size` items whose counts differ by `delta`. */
export function expectedDifferences(size: number, delta: number, density: number): number {
  const mean = density * size
  // a range known to mismatch holds at least one: the Poisson mean conditioned on not zero
  const conditioned = mean < 1e-9 ? 1 : mean / -Math.expm1(-mean)
  // equal counts that mismatch mean one difference on each side at least
  return Math.max(conditioned, Math.abs(delta), delta === 0 ? 2 : 1)
}

function matchingExpected(children: readonly ChildObservation[], density: number): number {
  let expected = 0
  for (const child of children) if (child.size > 0) expected += -Math.expm1(-density * child.size)
  return expected
}

function solveDensity(children: readonly ChildObservation[], target: number, totalSize: number): number {
  let low = 0
  let high = 1 / totalSize
  for (let i = 0; i < 64 && matchingExpected(children, high) < target; i++) high *= 2
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const middle = (low + high) / 2
    if (matchingExpected(children, middle) < target) low = middle
    else high = middle
  }
  return (low + high) / 2
}

/** ρ from the variance of the count differences, or from their mean size when all lie on one side. */
function spreadDensity(children: readonly ChildObservation[], occupied: number, totalSize: number): number {
  let sum = 0
  let absolute = 0
  for (const child of children) {
    if (child.size === 0) continue
    sum += child.delta
    absolute += Math.abs(child.delta)
  }
  const mean = sum / occupied
  let squares = 0
  for (const child of children) if (child.size > 0) squares += (child.delta - mean) ** 2
  const variance = occupied > 1 ? squares / (occupied - 1) : 0
  return Math.max(variance / (totalSize / occupied), absolute / totalSize)
}
