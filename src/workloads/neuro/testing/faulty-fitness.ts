/**
 * Fitness factories for the worker-pool tests, loaded by workers by module URL and export name as a real
 * task's fitness is. Every genome scores its own batch index (so order is visible in the results) except
 * genome `failAt` (or every genome from it on), which throws or scores NaN.
 */
import type { FitnessFunction } from '../evaluator.ts'

export interface FaultyOptions {
  /** The batch index (context.index) at which the fitness fails; -1 for never. */
  readonly failAt: number
}

export function throwingFitness(options: FaultyOptions): FitnessFunction {
  return (_network, context) => {
    if (context.index === options.failAt) throw new Error('the pole fell through the floor')
    return { fitness: context.index }
  }
}

export function nanFitness(options: FaultyOptions): FitnessFunction {
  return (_network, context) => ({ fitness: context.index === options.failAt ? Number.NaN : context.index })
}

/** Throws for every genome from batch index `failAt` on, so that several workers fail at once. */
export function throwingFitnessFrom(options: FaultyOptions): FitnessFunction {
  return (_network, context) => {
    if (context.index >= options.failAt) throw new Error(`genome ${context.index} gave up`)
    return { fitness: context.index }
  }
}
