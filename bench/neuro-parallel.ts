/**
 * Worker-pool speed-up for NEAT evaluation: evaluations per second of the DPNV fitness on a piscina pool
 * of 1 and 2 worker threads, measured side by side in alternating rounds, with the main-thread (inline)
 * rate for reference. Parallel efficiency = eps(2) / (2 · eps(1)).
 *
 * The batch is what a DPNV population looks like once it has started to balance: a hill climb (seeded)
 * finds a minimal recurrent genome — 4 inputs incl. bias → 1 output, one hidden node, self-loops — that
 * balances all 1,000 steps, and the batch is its mutants (Gaussian weight noise), which balance anywhere
 * from a few steps to all 1,000, so jobs differ in cost as they do in a real run.
 *
 * Usage: node bench/neuro-parallel.ts [--rounds 9] [--batch 1000] [--sigma 0.1] [--seed 3]
 * Writes bench/results/neuro-parallel-<batch>-<YYYY-MM-DD>.json.
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { Random } from '../src/kernel/index.ts'
import {
  type BatchEvaluator,
  type Evaluation,
  type EvaluationJob,
  InlineEvaluator,
} from '../src/workloads/neuro/evaluator.ts'
import { statistics } from '../src/workloads/neuro/experiment.ts'
import type { Genome } from '../src/workloads/neuro/genome.ts'
import { compileNetwork } from '../src/workloads/neuro/network.ts'
import { DPNV_EPISODE_STEPS, taskFitness } from '../src/workloads/neuro/tasks/index.ts'
import { randomGenome } from '../src/workloads/neuro/testing/random-genomes.ts'
import { builtInTaskFitness, WorkerPoolEvaluator } from '../src/workloads/neuro/worker-pool-evaluator.ts'
import { writeResult } from './results-file.ts'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    batch: { type: 'string', default: '1000' },
    sigma: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '3' },
  },
})
const rounds = Number(values.rounds)
const batchSize = Number(values.batch)
const sigma = Number(values.sigma)
const seed = Number(values.seed)

const fitness = taskFitness({ task: 'dpnv' })
const random = new Random(seed)
const context = { seed, generation: 0, index: 0 }
/** The DPNV evaluation of `genome` (the task's fitness is synchronous). */
const evaluate = (genome: Genome): Evaluation =>
  fitness(compileNetwork(genome, { recurrent: true }), context) as Evaluation

function gaussian(): number {
  let u = 0
  while (u === 0) u = random.float()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.float())
}

function mutant(genome: Genome, scale: number): Genome {
  return {
    nodes: genome.nodes.map((n) =>
      n.kind === 'hidden' || n.kind === 'output' ? { ...n, bias: n.bias + scale * gaussian() } : n,
    ),
    connections: genome.connections.map((c) => ({ ...c, weight: c.weight + scale * gaussian() })),
  }
}

/** (1+1) hill climb on the DPNV fitness until a genome balances the whole episode. */
function balancer(): Genome {
  let best = randomGenome(random, { inputs: 4, outputs: 1, hidden: 1, recurrent: true })
  let bestEvaluation = evaluate(best)
  for (let tries = 0; (bestEvaluation.metrics?.steps ?? 0) < DPNV_EPISODE_STEPS; tries++) {
    if (tries === 100_000) throw new Error('the hill climb found no balancing genome; try another --seed')
    const candidate = mutant(best, 0.5)
    const evaluation = evaluate(candidate)
    if (evaluation.fitness >= bestEvaluation.fitness) [best, bestEvaluation] = [candidate, evaluation]
  }
  return best
}

const elite = balancer()
const jobs: EvaluationJob[] = Array.from({ length: batchSize }, (_, index) => ({
  genome: mutant(elite, sigma),
  context: { seed, generation: 1, index },
}))

const inline = new InlineEvaluator(fitness, { recurrent: true })
const pools = new Map<number, WorkerPoolEvaluator>(
  [1, 2].map((workers) => [
    workers,
    new WorkerPoolEvaluator({ workers, fitness: builtInTaskFitness('dpnv'), recurrent: true }),
  ]),
)
const evaluators: [string, BatchEvaluator][] = [
  ['pool-1', pools.get(1) as WorkerPoolEvaluator],
  ['pool-2', pools.get(2) as WorkerPoolEvaluator],
  ['inline', inline],
]

// warm-up, and a check that every evaluator gives the same evaluations
const reference = await inline.evaluate(jobs)
for (const [, evaluator] of evaluators) {
  for (let k = 0; k < 2; k++) {
    const results = await evaluator.evaluate(jobs)
    if (JSON.stringify(results) !== JSON.stringify(reference)) throw new Error('evaluators disagree')
  }
}
const balanced = reference.map((e) => e.metrics?.steps ?? 0)
const meanSteps = balanced.reduce((a, b) => a + b, 0) / balanced.length

/** CPU time so far, ms: this process (all its threads) and the whole machine (busy, not idle). */
function cpuClock(): { own: number; machine: number } {
  const { user, system } = process.cpuUsage()
  let machine = 0
  for (const { times } of os.cpus()) machine += times.user + times.nice + times.sys + times.irq
  return { own: (user + system) / 1000, machine }
}

interface Round {
  evaluationsPerSecond: number
  /** Cores this process kept busy during the batch. */
  cores: number
  /** Cores other processes kept busy meanwhile (the machine's busy time minus ours, coarse: 10 ms ticks). */
  otherCores: number
}
const measured = new Map<string, Round[]>(evaluators.map(([name]) => [name, []]))
for (let round = 0; round < rounds; round++) {
  // alternate the order so that drift (thermal, other load) does not favour one evaluator
  const order = round % 2 === 0 ? evaluators : [...evaluators].reverse()
  for (const [name, evaluator] of order) {
    const before = cpuClock()
    const start = performance.now()
    await evaluator.evaluate(jobs)
    const wall = performance.now() - start
    const after = cpuClock()
    const cores = (after.own - before.own) / wall
    measured.get(name)?.push({
      evaluationsPerSecond: batchSize / (wall / 1000),
      cores,
      otherCores: Math.max(0, (after.machine - before.machine) / wall - cores),
    })
  }
}
for (const pool of pools.values()) await pool.close()

const median = (values: readonly number[]): number => statistics(values).median
const medianOf = (name: string, field: keyof Round): number =>
  median((measured.get(name) ?? []).map((round) => round[field]))
const efficiency =
  medianOf('pool-2', 'evaluationsPerSecond') / (2 * medianOf('pool-1', 'evaluationsPerSecond'))
const rows = evaluators.map(([name]) => ({
  evaluator: name,
  medianEvaluationsPerSecond: Math.round(medianOf(name, 'evaluationsPerSecond')),
  medianCores: Number(medianOf(name, 'cores').toFixed(2)),
  medianOtherCores: Number(medianOf(name, 'otherCores').toFixed(2)),
  roundsEvaluationsPerSecond: (measured.get(name) ?? []).map((round) =>
    Math.round(round.evaluationsPerSecond),
  ),
}))
const contended = rows.some((row) => row.medianOtherCores > 0.2)

console.log(
  `DPNV batch: ${batchSize} genomes, mean ${meanSteps.toFixed(0)} of ${DPNV_EPISODE_STEPS} steps balanced, ` +
    `${balanced.filter((s) => s >= DPNV_EPISODE_STEPS).length} balance them all; ${rounds} rounds`,
)
console.log('evaluator   median eval/s   cores   other cores   rounds (eval/s)')
for (const row of rows) {
  console.log(
    `${row.evaluator.padEnd(10)}  ${String(row.medianEvaluationsPerSecond).padStart(13)}   ` +
      `${row.medianCores.toFixed(2).padStart(5)}   ${row.medianOtherCores.toFixed(2).padStart(11)}   ` +
      row.roundsEvaluationsPerSecond.join(' '),
  )
}
console.log(`parallel efficiency eps(2) / (2 · eps(1)) = ${efficiency.toFixed(3)}`)
if (contended)
  console.log('warning: other processes kept a core busy during the runs; the figures are not clean')
const path = writeResult(`neuro-parallel-${batchSize}`, {
  task: 'dpnv',
  batch: { genomes: batchSize, sigma, seed, meanStepsBalanced: meanSteps },
  rounds,
  rows,
  parallelEfficiency: efficiency,
  contended,
})
console.log(`wrote ${path}`)
