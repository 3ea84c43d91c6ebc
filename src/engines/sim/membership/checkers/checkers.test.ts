/**
 * Each checker can fail: fed a crafted history that breaks its property, it reports a violation; fed the
 * honest version of the same history, it stays quiet. A checker that cannot fail hides the bug it was
 * written to find.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Millis, NodeId } from '../../../../kernel/index.ts'
import type { NodeEvent } from '../../../../node/index.ts'
import {
  MEMBERSHIP_PROTOCOL,
  type MemberState,
  type MembershipEvent,
  membershipConfig,
} from '../../../../protocols/membership/index.ts'
import type { Checker, CheckerContext, RunView, Violation } from '../checker.ts'
import { GroundTruth } from '../ground-truth.ts'
import { SCENARIO_DEFAULTS } from '../scenario.ts'
import {
  codecRoundTrip,
  crashDetection,
  falsePositives,
  knownSubjects,
  liveness,
  partitionDetected,
  selfView,
} from './index.ts'

const N = 4
const ids: NodeId[] = Array.from({ length: N }, (_, i) => `n${i}`)
const config = membershipConfig('lan')

interface Harness {
  truth: GroundTruth
  context: CheckerContext
  violations: Violation[]
  /** Views the crafted run holds: `states[observer][subject]`, and each node's incarnation. */
  states: (MemberState | undefined)[][]
  incarnations: (number | undefined)[]
  rejections: Map<string, number>
  view(now: Millis): RunView
}

function harness(): Harness {
  const truth = new GroundTruth(N)
  for (let i = 0; i < N; i++) truth.started(i, 0)
  const violations: Violation[] = []
  const states = ids.map(() => ids.map((): MemberState | undefined => 'alive'))
  const incarnations: (number | undefined)[] = ids.map(() => 0)
  const rejections = new Map<string, number>()
  const context: CheckerContext = {
    scenario: { ...SCENARIO_DEFAULTS, nodes: N, seed: 1 },
    config,
    truth,
    indexOf: (id) => {
      const index = ids.indexOf(id)
      return index < 0 ? undefined : index
    },
    violate: (checker, at, message) => violations.push({ checker, at, message }),
  }
  return {
    truth,
    context,
    violations,
    states,
    incarnations,
    rejections,
    view: (now) => ({
      now,
      truth,
      ids,
      stateOf: (o, s) => (truth.isUp(o) ? states[o]?.[s] : undefined),
      isLeaving: () => false,
      incarnationOf: (i) => (truth.isUp(i) ? incarnations[i] : undefined),
      rejections,
    }),
  }
}

function event(e: MembershipEvent): NodeEvent {
  return { protocol: MEMBERSHIP_PROTOCOL, event: e }
}

const failed = (id: NodeId, at: Millis): NodeEvent => event({ type: 'MemberFailed', at, id, incarnation: 0 })

function feed(checker: Checker, node: number, e: NodeEvent, at: Millis): void {
  checker.onEvent?.(node, e, at)
}

describe('false-positives', () => {
  it('reports a live member declared failed by an observer on its side of every cut', () => {
    const h = harness()
    const checker = falsePositives(h.context)
    // n0 and n1 on side 0, n2 and n3 on side 1, from 1 s to 3 s
    h.truth.startCut(Int8Array.from([0, 0, 1, 1]), 'symmetric', 1_000, [])
    feed(checker, 0, failed('n1', 2_000), 2_000)
    assert.equal(h.violations.length, 1)
    assert.equal(checker.subjects.size, 1)
  })

  it('excuses a verdict across a cut while it is in force, and within one last-word lead after the heal', () => {
    const h = harness()
    const checker = falsePositives(h.context)
    h.truth.startCut(Int8Array.from([0, 0, 1, 1]), 'symmetric', 1_000, [])
    feed(checker, 0, failed('n2', 2_000), 2_000)
    h.truth.heal(3_000)
    feed(checker, 1, failed('n3', 3_000 + config.probeTimeoutMaxMs), 3_000 + config.probeTimeoutMaxMs)
    assert.deepEqual(h.violations, [])
    // later than the lead the suspect had the time to answer: a violation
    const late = 3_000 + 2 * config.probeTimeoutMaxMs + 1
    feed(checker, 0, failed('n3', late), late)
    assert.equal(h.violations.length, 1)
  })

  it('does not judge verdicts about a member that crashed', () => {
    const h = harness()
    const checker = falsePositives(h.context)
    h.truth.departing(2, 1_000, false)
    h.truth.stopped(2)
    feed(checker, 0, failed('n2', 1_500), 1_500)
    assert.deepEqual(h.violations, [])
  })
})

describe('crash-detection', () => {
  it('reports a crash that some live observer never marked, and measures the ones all did', () => {
    const h = harness()
    const checker = crashDetection(h.context)
    h.truth.departing(3, 1_000, false)
    h.truth.stopped(3)
    feed(checker, 0, failed('n3', 1_400), 1_400)
    feed(checker, 1, failed('n3', 1_600), 1_600)
    checker.finish?.(h.view(5_000))
    assert.equal(h.violations.length, 1, 'n2 never marked n3')
    feed(checker, 2, failed('n3', 1_900), 1_900)
    assert.deepEqual(checker.detections(h.view(5_000)), { samples: [900], missed: 0 })
  })
})

describe('known-subjects', () => {
  it('reports a verdict about a member id no node has', () => {
    const h = harness()
    const checker = knownSubjects(h.context)
    feed(checker, 0, failed('n1', 10), 10)
    assert.deepEqual(h.violations, [])
    feed(checker, 0, failed('stranger', 10), 10)
    assert.equal(h.violations.length, 1)
  })
})

describe('self-view', () => {
  it('reports a node that accuses itself, holds itself failed, or lowers its incarnation in one life', () => {
    const h = harness()
    const checker = selfView(h.context)
    checker.onStep?.(h.view(0))
    assert.deepEqual(h.violations, [])
    feed(checker, 1, failed('n1', 10), 10)
    assert.equal(h.violations.length, 1, 'declared itself failed')
    ;(h.states[2] as (MemberState | undefined)[])[2] = 'suspect'
    checker.onStep?.(h.view(20))
    assert.equal(h.violations.length, 2, 'holds itself suspect')
    ;(h.states[2] as (MemberState | undefined)[])[2] = 'alive'
    h.incarnations[3] = 5
    checker.onStep?.(h.view(30))
    h.incarnations[3] = 4
    checker.onStep?.(h.view(40))
    assert.equal(h.violations.length, 3, 'incarnation went down')
    // a restart is a new life: starting over from 0 is fine
    h.truth.departing(3, 50, false)
    h.truth.stopped(3)
    h.truth.started(3, 60)
    h.incarnations[3] = 0
    checker.onStep?.(h.view(70))
    assert.equal(h.violations.length, 3)
  })
})

describe('partition-detected', () => {
  it('reports a node of a side that had to report the partition and did not', () => {
    const h = harness()
    const checker = partitionDetected(h.context)
    h.truth.startCut(Int8Array.from([0, 0, 0, 1]), 'symmetric', 1_000, [1])
    h.truth.heal(3_000)
    checker.finish?.(h.view(4_000))
    assert.equal(h.violations.length, 1)
    const honest = harness()
    const quiet = partitionDetected(honest.context)
    honest.truth.startCut(Int8Array.from([0, 0, 0, 1]), 'symmetric', 1_000, [1])
    feed(quiet, 3, event({ type: 'PartitionDetected', at: 1_500, reachable: 1, known: 4 }), 1_500)
    honest.truth.heal(3_000)
    quiet.finish?.(honest.view(4_000))
    assert.deepEqual(honest.violations, [])
  })
})

describe('liveness', () => {
  it('reports a run that ends with a live node seen failed or a down node seen alive', () => {
    const h = harness()
    const checker = liveness(h.context)
    checker.finish?.(h.view(1_000))
    assert.deepEqual(h.violations, [])
    ;(h.states[0] as (MemberState | undefined)[])[1] = 'failed'
    checker.finish?.(h.view(1_000))
    assert.equal(h.violations.length, 1)
    ;(h.states[0] as (MemberState | undefined)[])[1] = 'alive'
    h.truth.departing(2, 500, false)
    h.truth.stopped(2)
    checker.finish?.(h.view(1_000))
    assert.equal(h.violations.length, 2, 'n0, n1 and n3 still see the crashed n2 alive')
  })
})

describe('codec-round-trip', () => {
  it('reports any frame an honest peer sent that a node could not decode', () => {
    const h = harness()
    const checker = codecRoundTrip(h.context)
    checker.finish?.(h.view(1_000))
    assert.deepEqual(h.violations, [])
    h.rejections.set('truncated', 2)
    checker.finish?.(h.view(1_000))
    assert.equal(h.violations.length, 1)
  })
})
