import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Random } from '../../kernel/index.ts'
import { type Member, MemberTable } from './member-table.ts'
import { DEFAULT_PROFILE, type MemberRecord, type MemberState } from './types.ts'
import { addToDigest, recordDigest } from './view-digest.ts'

function record(id: string, state: MemberState = 'alive', incarnation = 0): MemberRecord {
  return { id, incarnation, state, addresses: [], profile: DEFAULT_PROFILE, signature: new Uint8Array(0) }
}

function tableOf(ids: readonly string[], random: Random, states: readonly MemberState[] = []): MemberTable {
  const table = new MemberTable(1_000, 'self')
  ids.forEach((id, i) => {
    table.add(record(id, states[i] ?? 'alive'), 0, random)
  })
  return table
}

function isProbed(member: Member): boolean {
  return member.record.state === 'alive' || member.record.state === 'suspect'
}

/** The table's structure agrees with itself: counts, lookups and dense slots. */
function checkConsistent(table: MemberTable): void {
  const tally = { alive: 0, suspect: 0, failed: 0, left: 0 }
  let digest = 0
  table.members().forEach((member, slot) => {
    tally[member.record.state]++
    digest = addToDigest(digest, recordDigest(member.record))
    assert.equal(member.slot, slot)
    assert.equal(table.get(member.record.id), member)
  })
  assert.deepEqual({ ...table.counts }, tally)
  assert.equal(table.digest, digest, 'the kept digest is the sum over the members')
  assert.equal(table.size, table.members().length)
}

const stateArbitrary = fc.constantFrom<MemberState>('alive', 'suspect', 'failed', 'left')

describe('MemberTable', () => {
  describe('round-robin probing', () => {
    it('law: each run of m probes visits every one of the m alive or suspect members exactly once', () => {
      fc.assert(
        fc.property(
          fc.integer(),
          fc.array(stateArbitrary, { minLength: 1, maxLength: 30 }),
          fc.integer({ min: 1, max: 5 }),
          (seed, states, passes) => {
            const random = new Random(seed)
            const table = tableOf(
              states.map((_, i) => `m${i}`),
              random,
              states,
            )
            const probed = table.members().filter(isProbed)
            for (let pass = 0; pass < passes; pass++) {
              const visited = Array.from({ length: probed.length }, () => table.nextProbeTarget(random))
              assert.deepEqual(new Set(visited), new Set(probed), `pass ${pass}`)
            }
            if (probed.length === 0) assert.equal(table.nextProbeTarget(random), undefined)
          },
        ),
      )
    })

    it('reshuffles between passes, so the order is not the same every time', () => {
      const random = new Random(3)
      const table = tableOf(
        Array.from({ length: 20 }, (_, i) => `m${i}`),
        random,
      )
      const pass = (): string[] =>
        Array.from({ length: 20 }, () => table.nextProbeTarget(random)?.record.id ?? '')
      const first = pass()
      const second = pass()
      assert.notDeepEqual(first, second)
      assert.deepEqual([...first].sort(), [...second].sort())
    })

    it('law: within a pass each alive or suspect member is probed exactly once, even as others are removed or fail mid-pass', () => {
      type Operation = { kind: 'probe' } | { kind: 'remove'; pick: number } | { kind: 'fail'; pick: number }
      const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
        { weight: 6, arbitrary: fc.constant({ kind: 'probe' as const }) },
        { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'remove' as const, pick })) },
        { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'fail' as const, pick })) },
      )
      fc.assert(
        fc.property(
          fc.integer(),
          fc.array(stateArbitrary, { minLength: 1, maxLength: 12 }),
          fc.array(operationArbitrary, { maxLength: 150 }),
          (seed, states, operations) => {
            const random = new Random(seed)
            const table = tableOf(
              states.map((_, i) => `m${i}`),
              random,
              states,
            )
            // the model: members still due in this pass; a pass ends when none is left
            const eligible = (): Set<Member> => new Set(table.members().filter(isProbed))
            let due = eligible()
            for (const operation of operations) {
              const members = table.members()
              if (operation.kind === 'probe') {
                const target = table.nextProbeTarget(random)
                if (due.size === 0) due = eligible()
                if (due.size === 0) {
                  assert.equal(target, undefined)
                  continue
                }
                assert.ok(target !== undefined, 'a probe target exists but none was returned')
                assert.ok(due.has(target), `${target.record.id} probed twice in one pass`)
                due.delete(target)
                if (due.size === 0) due = eligible()
              } else {
                const picked = members[operation.pick % Math.max(1, members.length)]
                if (picked === undefined) continue
                if (operation.kind === 'remove') table.remove(picked)
                else table.update(picked, { ...picked.record, state: 'failed' }, 0)
                due.delete(picked)
              }
              checkConsistent(table)
            }
          },
        ),
        { numRuns: 300 },
      )
    })
  })

  describe('bookkeeping', () => {
    it('law: counts per state, the view digest and the held records match the members through any sequence of adds, updates and removes', () => {
      type Operation =
        | { kind: 'add'; id: number; state: MemberState }
        | { kind: 'update'; pick: number; state: MemberState; incarnation: number }
        | { kind: 'remove'; pick: number }
      const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
        fc.record({ kind: fc.constant('add' as const), id: fc.nat(30), state: stateArbitrary }),
        fc.record({
          kind: fc.constant('update' as const),
          pick: fc.nat(),
          state: stateArbitrary,
          incarnation: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        }),
        fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      )
      fc.assert(
        fc.property(fc.integer(), fc.array(operationArbitrary, { maxLength: 120 }), (seed, operations) => {
          const random = new Random(seed)
          const table = new MemberTable(1_000, 'self')
          const model = new Map<string, MemberState>()
          const seen: MemberRecord[] = []
          for (const operation of operations) {
            const members = table.members()
            if (operation.kind === 'add') {
              const id = `m${operation.id}`
              if (model.has(id)) continue // the core adds only unknown members
              const added = record(id, operation.state)
              seen.push(added)
              assert.ok(table.add(added, 0, random) !== undefined)
              assert.ok(table.holds(added) || table.size > 1, 'a lone member’s record is held')
              model.set(id, operation.state)
            } else {
              const member = members[operation.pick % Math.max(1, members.length)]
              if (member === undefined) continue
              if (operation.kind === 'update') {
                const { state, incarnation } = operation
                const before = member.record
                const after = { ...member.record, state, incarnation }
                seen.push(after)
                table.update(member, after, 0)
                assert.equal(table.holds(before), false, 'a replaced record is not held')
                model.set(member.record.id, operation.state)
              } else {
                table.remove(member)
                model.delete(member.record.id)
                assert.equal(table.get(member.record.id), undefined)
                assert.equal(table.holds(member.record), false, 'a removed member’s record is not held')
              }
            }
            checkConsistent(table)
            for (const held of seen.filter((r) => table.holds(r))) {
              assert.equal(table.get(held.id)?.record, held, 'a held record is its member’s current one')
            }
            assert.deepEqual(
              new Map(table.members().map((member) => [member.record.id, member.record.state])),
              model,
            )
          }
        }),
      )
    })

    it('refuses a new member when full and counts the refusal', () => {
      const random = new Random(1)
      const table = new MemberTable(2, 'self')
      assert.ok(table.add(record('a'), 0, random) !== undefined)
      assert.ok(table.add(record('b'), 0, random) !== undefined)
      assert.equal(table.add(record('c'), 0, random), undefined)
      assert.equal(table.refused, 1)
      assert.equal(table.size, 2)
      assert.equal(table.get('c'), undefined)
    })

    it('removing a member twice changes nothing the second time', () => {
      const random = new Random(1)
      const table = tableOf(['a', 'b', 'c'], random)
      const a = table.get('a')
      assert.ok(a !== undefined)
      table.remove(a)
      table.remove(a)
      checkConsistent(table)
      assert.equal(table.size, 2)
    })
  })

  describe('sampling', () => {
    it('law: a sample holds at most `count` distinct members, all accepted by the filter', () => {
      fc.assert(
        fc.property(
          fc.integer(),
          fc.array(stateArbitrary, { maxLength: 40 }),
          fc.integer({ min: -1, max: 50 }),
          (seed, states, count) => {
            const random = new Random(seed)
            const table = tableOf(
              states.map((_, i) => `m${i}`),
              random,
              states,
            )
            const sample = table.sample(random, count, (member) => member.record.state === 'alive')
            assert.ok(sample.length <= Math.max(0, count))
            assert.equal(new Set(sample).size, sample.length)
            assert.ok(sample.every((member) => member.record.state === 'alive'))
          },
        ),
      )
    })

    it('finds the requested number when accepted members are plentiful', () => {
      const random = new Random(5)
      const table = tableOf(
        Array.from({ length: 100 }, (_, i) => `m${i}`),
        random,
      )
      for (let i = 0; i < 50; i++) assert.equal(table.sample(random, 3, () => true).length, 3)
    })

    it('covers the accepted members roughly uniformly', () => {
      const random = new Random(8)
      const table = tableOf(
        Array.from({ length: 10 }, (_, i) => `m${i}`),
        random,
      )
      const hits = new Map<string, number>()
      for (let i = 0; i < 10_000; i++) {
        for (const member of table.sample(random, 1, () => true))
          hits.set(member.record.id, (hits.get(member.record.id) ?? 0) + 1)
      }
      assert.equal(hits.size, 10)
      for (const count of hits.values()) assert.ok(count > 800 && count < 1_200, `${count}`)
    })

    it('returns nothing from an empty table or for a count of zero', () => {
      const random = new Random(1)
      assert.deepEqual(
        new MemberTable(10, 'self').sample(random, 3, () => true),
        [],
      )
      assert.deepEqual(
        tableOf(['a'], random).sample(random, 0, () => true),
        [],
      )
    })
  })

  describe('reaping', () => {
    const FAILED_AFTER_MS = 1_000
    const LEFT_AFTER_MS = 500

    it('removes a failed member once reapFailedAfterMs has passed since it failed, not before', () => {
      const random = new Random(1)
      const table = tableOf(['a', 'b'], random)
      const a = table.get('a') as Member
      table.update(a, { ...a.record, state: 'failed' }, 100)
      assert.equal(table.nextReapAt(FAILED_AFTER_MS, LEFT_AFTER_MS), 1_100)
      assert.deepEqual(table.reap(1_099, FAILED_AFTER_MS, LEFT_AFTER_MS), [])
      assert.deepEqual(table.reap(1_100, FAILED_AFTER_MS, LEFT_AFTER_MS), [a])
      assert.equal(table.get('a'), undefined)
      assert.equal(table.counts.failed, 0)
      assert.equal(table.nextReapAt(FAILED_AFTER_MS, LEFT_AFTER_MS), undefined)
      checkConsistent(table)
    })

    it('removes a member that left after reapLeftAfterMs, independently of failed ones', () => {
      const random = new Random(1)
      const table = tableOf(['a', 'b', 'c'], random)
      const a = table.get('a') as Member
      const b = table.get('b') as Member
      table.update(a, { ...a.record, state: 'failed' }, 0)
      table.update(b, { ...b.record, state: 'left' }, 0)
      assert.equal(table.nextReapAt(FAILED_AFTER_MS, LEFT_AFTER_MS), LEFT_AFTER_MS)
      assert.deepEqual(table.reap(LEFT_AFTER_MS, FAILED_AFTER_MS, LEFT_AFTER_MS), [b])
      assert.deepEqual(table.reap(FAILED_AFTER_MS, FAILED_AFTER_MS, LEFT_AFTER_MS), [a])
      assert.deepEqual(
        table.members().map((member) => member.record.id),
        ['c'],
      )
    })

    it('ignores a stale reap entry: a member that recovered and failed again is reaped from its latest failure', () => {
      const random = new Random(1)
      const table = tableOf(['a', 'b'], random)
      const a = table.get('a') as Member
      table.update(a, { ...a.record, state: 'failed' }, 0)
      table.update(a, { ...a.record, state: 'alive', incarnation: 1 }, 300)
      assert.deepEqual(table.reap(FAILED_AFTER_MS, FAILED_AFTER_MS, LEFT_AFTER_MS), [], 'alive again')
      table.update(a, { ...a.record, state: 'failed' }, 600)
      assert.deepEqual(table.reap(1_599, FAILED_AFTER_MS, LEFT_AFTER_MS), [])
      assert.deepEqual(table.reap(1_600, FAILED_AFTER_MS, LEFT_AFTER_MS), [a])
    })

    it('a reap entry for a removed member does not remove its successor with the same id', () => {
      const random = new Random(1)
      const table = tableOf(['a'], random)
      const first = table.get('a') as Member
      table.update(first, { ...first.record, state: 'failed' }, 0)
      table.remove(first)
      const second = table.add(record('a', 'failed'), 0, random)
      assert.ok(second !== undefined)
      // both entries are due; only the live member is removed, once
      assert.deepEqual(table.reap(FAILED_AFTER_MS, FAILED_AFTER_MS, LEFT_AFTER_MS), [second])
      checkConsistent(table)
    })

    it('law: at the time nextReapAt reports, reap removes someone, even for fractional times', () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }),
          fc.double({ min: 1, max: 1e6, noNaN: true }),
          (changes, afterMs) => {
            const random = new Random(1)
            const table = new MemberTable(100, 'self')
            const times = [...changes].sort((x, y) => x - y)
            times.forEach((time, i) => {
              const member = table.add(record(`m${i}`), 0, random) as Member
              table.update(member, { ...member.record, state: 'failed' }, time)
            })
            for (let left = times.length; left > 0; ) {
              const at = table.nextReapAt(afterMs, afterMs)
              assert.ok(at !== undefined)
              const reaped = table.reap(at, afterMs, afterMs)
              assert.ok(reaped.length > 0, `nothing reaped at the reported time ${at}`)
              left -= reaped.length
            }
            assert.equal(table.size, 0)
          },
        ),
      )
    })
  })
})
