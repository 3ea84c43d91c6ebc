/**
 * XOR, NEAT's first test (Stanley & Miikkulainen 2002 §4.2): two inputs plus a bias, one output. Fitness
 * is (4 − Σ|error|)², as in the paper; a network solves XOR when every pattern's output is on the right
 * side of 0.5.
 */
import type { Evaluation } from '../evaluator.ts'
import type { Network } from '../network.ts'

/** The four patterns: inputs (without the bias) and the expected output. */
export const XOR_PATTERNS: readonly {
  readonly inputs: readonly [number, number]
  readonly expected: number
}[] = Object.freeze([
  { inputs: [0, 0], expected: 0 },
  { inputs: [0, 1], expected: 1 },
  { inputs: [1, 0], expected: 1 },
  { inputs: [1, 1], expected: 0 },
])

/** The bias input, appended after the two pattern inputs. */
export const XOR_BIAS = 1

export interface XorScore {
  readonly fitness: number
  readonly solved: boolean
  readonly errorSum: number
}

/** Scores a network given as a function from the three inputs (a, b, bias) to its output. */
export function scoreXor(activate: (inputs: readonly number[]) => number): XorScore {
  let errorSum = 0
  let solved = true
  for (const { inputs, expected } of XOR_PATTERNS) {
    const output = activate([inputs[0], inputs[1], XOR_BIAS])
    if (!Number.isFinite(output)) return { fitness: 0, solved: false, errorSum: Number.POSITIVE_INFINITY }
    errorSum += Math.abs(expected - output)
    if (expected === 1 ? output <= 0.5 : output >= 0.5) solved = false
  }
  return { fitness: (4 - errorSum) ** 2, solved, errorSum }
}

/** XOR as a NEAT task: the paper's fitness, and `solved` = 1 when every pattern is right. */
export function xorFitness(network: Network): Evaluation {
  const score = scoreXor((inputs) => network.activate(inputs)[0] as number)
  return { fitness: score.fitness, metrics: { solved: score.solved ? 1 : 0, errorSum: score.errorSum } }
}
