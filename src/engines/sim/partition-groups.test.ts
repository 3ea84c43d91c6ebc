import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Random } from '../../kernel/index.ts'
import { drawPartitionGroups, type PartitionKind } from './partition-groups.ts'

function sides(groupOf: (node: number) => number, nodeCount: number): [number, number] {
  const counts: [number, number] = [0, 0]
  for (let node = 0; node < nodeCount; node++) {
    const group = groupOf(node)
    assert.ok(group === 0 || group === 1)
    counts[group]++
  }
  return counts
}

describe('drawPartitionGroups', () => {
  it('isolate-single cuts exactly one node off from the rest', () => {
    for (let seed = 0; seed < 20; seed++) {
      const counts = sides(drawPartitionGroups(new Random(seed), 'isolate-single', 50), 50)
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        [1, 49],
      )
    }
  })

  it('halves splits an odd count as evenly as it can', () => {
    const counts = sides(drawPartitionGroups(new Random(1), 'halves', 101), 101)
    assert.deepEqual(
      [...counts].sort((a, b) => a - b),
      [50, 51],
    )
  })

  it('uniform-size leaves both sides non-empty and varies the size across seeds', () => {
    const sizes = new Set<number>()
    for (let seed = 0; seed < 50; seed++) {
      const counts = sides(drawPartitionGroups(new Random(seed), 'uniform-size', 40), 40)
      assert.ok(counts[0] > 0 && counts[1] > 0)
      sizes.add(Math.min(...counts))
    }
    assert.ok(sizes.size > 5)
  })

  it('gives the drawn side the lower group number on some seeds and the higher on others', () => {
    const isolatedGroups = new Set<number>()
    for (let seed = 0; seed < 20; seed++) {
      const counts = sides(drawPartitionGroups(new Random(seed), 'isolate-single', 10), 10)
      isolatedGroups.add(counts[0] === 1 ? 0 : 1)
    }
    assert.deepEqual(isolatedGroups, new Set([0, 1]))
  })

  it('draws the same groups for the same seed', () => {
    for (const kind of ['isolate-single', 'uniform-size', 'halves'] as PartitionKind[]) {
      const a = drawPartitionGroups(new Random(9), kind, 200)
      const b = drawPartitionGroups(new Random(9), kind, 200)
      for (let node = 0; node < 200; node++) assert.equal(a(node), b(node))
    }
  })

  it('rejects fewer than two nodes', () => {
    assert.throws(() => drawPartitionGroups(new Random(1), 'halves', 1), RangeError)
  })
})
