/**
 * Local operations on named objects: validation of the operation against the object's type (a clear
 * error for the caller, never a silent no-op) and the CRDT mutator that yields the delta.
 */
import { MeshError } from '../../kernel/index.ts'
import {
  type AnyCrdt,
  AwSet,
  type CrdtLimits,
  type HybridClock,
  LwwMap,
  PnCounterMap,
  TopNMap,
} from '../crdt/index.ts'
import { type ObjectSpec, OPS_OF_TYPE, type StateOp } from './types.ts'

export function emptyState(spec: ObjectSpec, limits: CrdtLimits): AnyCrdt {
  switch (spec.type) {
    case 'set':
      return new AwSet(limits)
    case 'topN':
      return new TopNMap(spec.capacity ?? 0, limits)
    case 'map':
      return new LwwMap(limits)
    case 'counter':
      return new PnCounterMap(limits)
  }
}

/** The spec of the object a state belongs to (the type tag and, for top-N, the capacity it carries). */
export function specOf(state: AnyCrdt): ObjectSpec | undefined {
  switch (state.type) {
    case 'topN':
      return { type: 'topN', capacity: state.capacity }
    case 'gcounter':
      return undefined
    default:
      return { type: state.type }
  }
}

/**
 * Applies `op` to `state` as `actor` at physical time `nowMs`; returns the delta, or undefined when the
 * operation changed nothing (removing an absent element, an offer below the top N).
 */
export function applyOperation(
  state: AnyCrdt,
  op: StateOp,
  actor: string,
  clock: HybridClock,
  nowMs: number,
): AnyCrdt | undefined {
  const spec = specOf(state)
  if (spec === undefined || !OPS_OF_TYPE[spec.type].includes(op.op)) {
    throw new MeshError(
      'INVALID_ARGUMENT',
      `a ${state.type} object takes ${spec === undefined ? 'no' : OPS_OF_TYPE[spec.type].join(' or ')} operations, not ${op.op}`,
      { type: state.type, op: op.op },
    )
  }
  switch (op.op) {
    case 'add':
      return (state as AwSet).add(actor, op.value)
    case 'remove':
      return (state as AwSet).remove(op.value)
    case 'offer':
      return (state as TopNMap).offer(op.id, op.rank, op.value)
    case 'put':
      return (state as LwwMap).put(op.key, op.value, clock.now(nowMs))
    case 'inc':
      return (state as PnCounterMap).inc(actor, op.key, op.by)
  }
}
