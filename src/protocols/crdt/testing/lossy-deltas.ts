/**
 * A convergence harness for delta-state CRDTs (after yjs's `TestConnector`): replicas apply operations and
 * send each delta to every other replica through a network that loses, duplicates and reorders messages
 * (Almeida et al.'s Algorithm 1 assumptions); then full-state anti-entropy runs until every replica holds
 * the same state. The plan is data drawn by fast-check, so a failure shrinks and replays from its seed.
 */
import fc from 'fast-check'
import type { AnyCrdt } from '../codec.ts'

export type NetworkStep<Op> =
  /** `replica` applies `op` and sends the delta, if any, to every other replica. */
  | { readonly kind: 'op'; readonly replica: number; readonly op: Op }
  /** The message at `pick` (modulo the queue) arrives; with `duplicate` a copy stays queued. */
  | { readonly kind: 'deliver'; readonly pick: number; readonly duplicate: boolean }
  /** The message at `pick` is lost. */
  | { readonly kind: 'drop'; readonly pick: number }

export function networkPlans<Op>(
  replicaCount: number,
  ops: fc.Arbitrary<Op>,
  maxSteps: number,
): fc.Arbitrary<NetworkStep<Op>[]> {
  const step: fc.Arbitrary<NetworkStep<Op>> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('op' as const), replica: fc.nat(replicaCount - 1), op: ops }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('deliver' as const),
        pick: fc.nat(),
        duplicate: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  )
  return fc.array(step, { maxLength: maxSteps })
}

/**
 * Runs `plan` over `replicas` in place. `apply` applies an op at a replica and returns the delta to send;
 * `onDeliver` runs before a delta merges (a replica observes the delta's clock there). Returns how many
 * deltas were lost (dropped or still in flight) and duplicated.
 */
export function runLossyDeltas<S extends AnyCrdt, Op>(
  replicas: S[],
  plan: readonly NetworkStep<Op>[],
  apply: (replica: S, index: number, op: Op) => S | undefined,
  onDeliver?: (replica: S, index: number, delta: S) => void,
): { lost: number; duplicated: number } {
  const queue: { to: number; delta: S }[] = []
  let lost = 0
  let duplicated = 0
  for (const step of plan) {
    if (step.kind === 'op') {
      const replica = replicas[step.replica] as S
      const delta = apply(replica, step.replica, step.op)
      if (delta === undefined) continue
      for (let to = 0; to < replicas.length; to++) if (to !== step.replica) queue.push({ to, delta })
    } else if (queue.length > 0) {
      const index = step.pick % queue.length
      const message = queue[index] as { to: number; delta: S }
      if (step.kind === 'drop' || !step.duplicate) queue.splice(index, 1)
      if (step.kind === 'drop') {
        lost++
        continue
      }
      if (step.duplicate) duplicated++
      const replica = replicas[message.to] as S
      onDeliver?.(replica, message.to, message.delta)
      ;(replica as { merge(other: S): boolean }).merge(message.delta)
    }
  }
  lost += queue.length // whatever is still in flight never arrives
  return { lost, duplicated }
}

/**
 * Full-state anti-entropy: every replica merges every other's state, in rounds, until a round changes
 * nothing. Returns the rounds taken; more than two means a merge failed to reach the join.
 */
export function antiEntropy<S extends AnyCrdt>(replicas: S[]): number {
  for (let round = 1; round <= 4; round++) {
    let changed = false
    for (const to of replicas) {
      for (const from of replicas) {
        if (to !== from && (to as { merge(other: S): boolean }).merge(from)) changed = true
      }
    }
    if (!changed) return round
  }
  return Number.POSITIVE_INFINITY
}
