import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { BroadcastQueue } from './broadcast-queue.ts'
import type { MemberUpdate } from './types.ts'

/** A distinguishable update about `id`; the incarnation tells versions of one member apart. */
function left(id: string, incarnation = 0): MemberUpdate {
  return { kind: 'left', id, incarnation }
}

/** Takes with `budgetBytes` and returns the ids taken, in order. */
function take(queue: BroadcastQueue, budgetBytes: number, limit: number): string[] {
  const out: MemberUpdate[] = []
  queue.take(budgetBytes, limit, out)
  return out.map((update) => (update.kind === 'alive' ? update.record.id : update.id))
}

const UNIT = 10
const NO_LIMIT = 1_000

describe('BroadcastQueue', () => {
  it('among updates sent equally often, the newest goes first', () => {
    const queue = new BroadcastQueue(100)
    for (const id of ['a', 'b', 'c', 'd']) queue.enqueue(id, left(id), UNIT)
    assert.deepEqual(take(queue, 2 * UNIT, NO_LIMIT), ['d', 'c'])
  })

  it('updates sent together keep their newest-first order the next time they are sent', () => {
    const queue = new BroadcastQueue(100)
    for (const id of ['a', 'b', 'c']) queue.enqueue(id, left(id), UNIT)
    assert.deepEqual(take(queue, 3 * UNIT, NO_LIMIT), ['c', 'b', 'a'])
    assert.deepEqual(take(queue, 3 * UNIT, NO_LIMIT), ['c', 'b', 'a'])
    assert.deepEqual(take(queue, UNIT, NO_LIMIT), ['c'])
  })

  it('an update sent fewer times goes before a newer one sent more often', () => {
    const queue = new BroadcastQueue(100)
    queue.enqueue('old', left('old'), UNIT)
    queue.enqueue('new', left('new'), UNIT)
    assert.deepEqual(take(queue, UNIT, NO_LIMIT), ['new'])
    // 'old' has 0 transmissions, 'new' has 1
    assert.deepEqual(take(queue, UNIT, NO_LIMIT), ['old'])
  })

  it('fresh news overtakes a backlog that has already been sent', () => {
    const queue = new BroadcastQueue(100)
    for (let i = 0; i < 20; i++) queue.enqueue(`backlog${i}`, left(`backlog${i}`), UNIT)
    take(queue, 20 * UNIT, NO_LIMIT)
    queue.enqueue('fresh', left('fresh'), UNIT)
    assert.deepEqual(take(queue, UNIT, NO_LIMIT), ['fresh'])
  })

  it('a newer update about the same member replaces the queued one and starts its count again', () => {
    const queue = new BroadcastQueue(100)
    queue.enqueue('a', left('a', 1), UNIT)
    queue.enqueue('b', left('b'), UNIT)
    assert.deepEqual(take(queue, 2 * UNIT, 3), ['b', 'a'])
    queue.enqueue('a', { kind: 'suspect', id: 'a', incarnation: 2, from: 'x' }, UNIT)
    assert.equal(queue.size, 2)
    assert.deepEqual(queue.peek('a'), { kind: 'suspect', id: 'a', incarnation: 2, from: 'x' })
    const out: MemberUpdate[] = []
    queue.take(2 * UNIT, 3, out)
    assert.deepEqual(out, [{ kind: 'suspect', id: 'a', incarnation: 2, from: 'x' }, left('b')])
    // the replacement has its own three transmissions; 'b' retires after its third
    assert.deepEqual(take(queue, 2 * UNIT, 3), ['a', 'b'])
    assert.deepEqual(take(queue, 2 * UNIT, 3), ['a'])
    assert.equal(queue.size, 0)
  })

  it('law: an update is sent exactly `limit` times and then retired', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), (limit, count) => {
        const queue = new BroadcastQueue(100)
        for (let i = 0; i < count; i++) queue.enqueue(`m${i}`, left(`m${i}`), UNIT)
        const sent = new Map<string, number>()
        for (let round = 0; round < limit * count + 2; round++) {
          for (const id of take(queue, UNIT, limit)) sent.set(id, (sent.get(id) ?? 0) + 1)
        }
        assert.equal(queue.size, 0)
        assert.equal(sent.size, count)
        for (const times of sent.values()) assert.equal(times, limit)
      }),
    )
  })

  it('law: a take spends at most its byte budget (or one update that alone exceeds it), and reports what it spent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 10 }),
        (sizes, budgets) => {
          const queue = new BroadcastQueue(1_000)
          const sizeOf = new Map<string, number>()
          sizes.forEach((bytes, i) => {
            queue.enqueue(`m${i}`, left(`m${i}`), bytes)
            sizeOf.set(`m${i}`, bytes)
          })
          for (const budget of budgets) {
            const out: MemberUpdate[] = []
            const used = queue.take(budget, 4, out)
            let spent = 0
            for (const update of out) if (update.kind === 'left') spent += sizeOf.get(update.id) ?? Number.NaN
            assert.ok(
              used <= budget || (out.length === 1 && budget > 0),
              `${used} > ${budget} with ${out.length} updates`,
            )
            assert.equal(used, spent)
          }
        },
      ),
    )
  })

  it('skips an update too large for the budget while smaller ones fill it, then sends it alone', () => {
    const queue = new BroadcastQueue(100)
    queue.enqueue('huge', left('huge'), 2_000)
    queue.enqueue('small', left('small'), 100)
    assert.deepEqual(take(queue, 1_400, NO_LIMIT), ['small'])
    assert.equal(queue.size, 2, 'the oversized update is still queued')
    assert.deepEqual(take(queue, 1_400, NO_LIMIT), ['huge'], 'first in line, it goes alone rather than never')
  })

  it('looks past at most 32 updates that do not fit, counting a whole sent-as-often group that cannot fit', () => {
    // `small` is sent first; then `bigs` (sent once, none fits what is left) are passed over as a group and
    // count as that many skips; `tiny` (sent more often) is reached only if fewer than 32 were skipped
    const queueWith = (bigs: number): BroadcastQueue => {
      const queue = new BroadcastQueue(100)
      queue.enqueue('tiny', left('tiny'), 1)
      take(queue, 1, NO_LIMIT)
      take(queue, 1, NO_LIMIT)
      for (let i = 0; i < bigs; i++) queue.enqueue(`big${i}`, left(`big${i}`), 100)
      take(queue, 100 * bigs + 1, NO_LIMIT)
      queue.enqueue('small', left('small'), 10)
      return queue
    }
    assert.deepEqual(take(queueWith(31), 60, NO_LIMIT), ['small', 'tiny'])
    assert.deepEqual(take(queueWith(32), 60, NO_LIMIT), ['small'])
  })

  it('a zero budget takes nothing and counts no transmission', () => {
    const queue = new BroadcastQueue(100)
    queue.enqueue('a', left('a'), UNIT)
    assert.deepEqual(take(queue, 0, 1), [])
    assert.deepEqual(take(queue, UNIT, 1), ['a'])
    assert.equal(queue.size, 0)
  })

  it('at its bound it drops the most-sent update, oldest first, and counts the drop', () => {
    const queue = new BroadcastQueue(3)
    queue.enqueue('a', left('a'), UNIT)
    queue.enqueue('b', left('b'), UNIT)
    take(queue, 2 * UNIT, NO_LIMIT) // a and b sent once
    queue.enqueue('c', left('c'), UNIT)
    queue.enqueue('d', left('d'), UNIT)
    assert.equal(queue.size, 3)
    assert.equal(queue.dropped, 1)
    assert.equal(queue.peek('a'), undefined, 'the oldest of the most-sent went first')
    assert.ok(queue.peek('b') !== undefined && queue.peek('c') !== undefined && queue.peek('d') !== undefined)
  })

  it('law: the queue never holds more than its bound, and every update that leaves it unsent is counted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(
          fc.oneof(
            fc.nat(40).map((id) => ({ id })),
            fc.nat(100).map((budget) => ({ budget })),
          ),
          {
            maxLength: 200,
          },
        ),
        (bound, operations) => {
          const queue = new BroadcastQueue(bound)
          let inserted = 0
          let retired = 0
          for (const operation of operations) {
            if ('id' in operation) {
              const id = `m${operation.id}`
              if (queue.peek(id) === undefined) inserted++ // otherwise a replacement: the size stays
              queue.enqueue(id, left(id, operations.length), UNIT)
            } else {
              const before = queue.size
              take(queue, operation.budget, 3)
              retired += before - queue.size
            }
            assert.ok(queue.size <= bound)
            // conservation: whatever left the queue was either sent `limit` times or dropped and counted
            assert.equal(queue.size, inserted - retired - queue.dropped)
          }
        },
      ),
    )
  })
})
