/**
 * What to answer for a range the two sides disagree on: a pure function of the two counts, the depth
 * and the estimated differences (`estimate.ts`), so the choice can be read and tested apart from the
 * message handling. Cheapest first:
 * - One side holds nothing there: the other's ids are the whole difference (give them, or ask for them
 *   with an empty list).
 * - This side holds at most `idListThreshold` ids, or at most `impureIdListThreshold` where two
 *   differences or more are known: list them; the answer carries exactly the difference.
 * - The counts differ by one and one difference is likely: send the range's sum, which is that item's id
 *   once the other side subtracts its own (a cell, `item-index.ts`).
 * - Otherwise split into enough children for `splitFactor` per expected difference.
 */
import type { RbsrConfig } from './config.ts'
import { KEY_BITS } from './ranges.ts'

export type Answer =
  | { readonly kind: 'give-all' }
  | { readonly kind: 'ask-list' }
  | { readonly kind: 'id-list' }
  | { readonly kind: 'cell' }
  | { readonly kind: 'split'; readonly childBits: number }
  /** A deepest range with more ids than fit in a message: ids sharing 52 bits, only a hostile set. */
  | { readonly kind: 'unresolvable' }

export interface Disagreement {
  readonly mine: number
  readonly theirs: number
  readonly depth: number
  readonly expected: number
  /** A cell for this range did not decode: it holds three differences or more. */
  readonly cellFailed?: boolean
}

export interface AnswerLimits {
  /** Ids that may be listed or given for one range. */
  readonly maxIds: number
}

export function answerFor(situation: Disagreement, config: RbsrConfig, limits: AnswerLimits): Answer {
  const { mine, theirs, depth } = situation
  if (mine === 0) return { kind: 'ask-list' }
  if (theirs === 0 && !situation.cellFailed && mine <= limits.maxIds) return { kind: 'give-all' }
  if (depth >= KEY_BITS) return mine <= limits.maxIds ? { kind: 'id-list' } : { kind: 'unresolvable' }
  if (mine <= config.idListThreshold) return { kind: 'id-list' }
  // two differences or more among a few ids: a list settles them in one round trip, a split in two
  const impure = situation.cellFailed === true || mine === theirs
  if (impure && mine <= config.impureIdListThreshold) return { kind: 'id-list' }
  if (
    config.cells &&
    !situation.cellFailed &&
    Math.abs(mine - theirs) === 1 &&
    situation.expected <= config.cellMaxExpected
  ) {
    return { kind: 'cell' }
  }
  return { kind: 'split', childBits: splitBits(situation, config) }
}

/**
 * Children for `splitFactor` per expected difference, within the configured bounds, and at most four
 * per item: dyadic children of a few ids are uneven, and two ids in two children share one half the time.
 */
export function splitBits(situation: Disagreement, config: RbsrConfig): number {
  const wanted = Math.round(Math.log2(Math.max(2, config.splitFactor * situation.expected)))
  const items = Math.ceil(Math.log2(Math.max(2, situation.mine, situation.theirs))) + 2
  const bits = Math.max(config.minChildBits, Math.min(wanted, items, config.maxChildBits))
  return Math.min(bits, KEY_BITS - situation.depth)
}
