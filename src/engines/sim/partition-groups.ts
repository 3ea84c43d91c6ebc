/**
 * Draws the groups of a network partition, as `SimNetwork.partition` takes them: a function from node to
 * group number (0 or 1).
 *
 * Follows TigerBeetle's packet simulator partition modes: `isolate_single` (one node cut off),
 * `uniform_size` (a side of uniformly random size, members chosen at random) and, in place of its
 * `uniform_partition` coin flip per node, `halves` (an even split with random members), which gives the
 * largest cut and the question "which side has the majority" its hardest form.
 *
 * Which side gets the lower group number is a coin flip, because an asymmetric partition drops messages
 * from the lower group to the higher one; otherwise the small side would always be the deaf one.
 * Memory is one byte per node, which is fine at a million nodes.
 */
import type { Random } from '../../kernel/index.ts'

export type PartitionKind = 'isolate-single' | 'uniform-size' | 'halves'

export function drawPartitionGroups(
  random: Random,
  kind: PartitionKind,
  nodeCount: number,
): (node: number) => number {
  if (!(Number.isInteger(nodeCount) && nodeCount >= 2)) {
    throw new RangeError(`a partition needs at least 2 nodes, got ${nodeCount}`)
  }
  let sideSize: number
  if (kind === 'isolate-single') sideSize = 1
  else if (kind === 'uniform-size') sideSize = random.intBetween(1, nodeCount - 1)
  else if (kind === 'halves') sideSize = Math.floor(nodeCount / 2)
  else throw new RangeError(`unknown partition kind ${kind}`)
  const sideGroup = random.chance(0.5) ? 1 : 0
  const groups = new Uint8Array(nodeCount).fill(1 - sideGroup)
  for (const node of sampleIndices(random, nodeCount, sideSize)) groups[node] = sideGroup
  // nodes outside [0, nodeCount), e.g. added later, join the side that was not drawn
  return (node) => groups[node] ?? 1 - sideGroup
}

/** `count` distinct indices below `n` by a partial Fisher–Yates over an index array. */
function sampleIndices(random: Random, n: number, count: number): Int32Array {
  const indices = new Int32Array(n)
  for (let i = 0; i < n; i++) indices[i] = i
  for (let i = 0; i < count; i++) {
    const j = i + random.intBelow(n - i)
    const held = indices[i] as number
    indices[i] = indices[j] as number
    indices[j] = held
  }
  return indices.subarray(0, count)
}
