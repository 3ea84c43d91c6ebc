/**
 * The shape of a simulated overlay at one instant, for checkers and benchmarks: whether active views are
 * symmetric, how degrees are spread, whether the live nodes' active graph is one component, how many
 * long links nodes hold, and whether any live node still holds a dead neighbour. A pure function of
 * the views, O(n · degree), with node indices in place of ids.
 */

export interface OverlayGraphInput {
  readonly size: number
  isUp(index: number): boolean
  /** The active view of a live node, as node indices. */
  neighbors(index: number): readonly number[]
  /** How many of a live node's neighbours are long links. */
  longLinks(index: number): number
}

export interface OverlayGraph {
  readonly upNodes: number
  /** Pairs (a, b) with b in a's active view but not a in b's; both live. At most `MAX_LISTED` listed. */
  readonly asymmetric: readonly (readonly [number, number])[]
  readonly asymmetricCount: number
  /** Live nodes holding a neighbour that is down, and how many such references in all. */
  readonly holdersOfDead: number
  readonly deadReferences: number
  readonly minDegree: number
  readonly maxDegree: number
  readonly meanDegree: number
  /** Nodes by degree: `degreeHistogram[d]` live nodes have d neighbours (live or not). */
  readonly degreeHistogram: readonly number[]
  /** Connected components of the live nodes over live-to-live links (either direction counts). */
  readonly components: number
  readonly largestComponent: number
  /** Live nodes holding at least `longLinkQuota` long links, and the mean number held. */
  readonly withFullLongQuota: number
  readonly meanLongLinks: number
}

const MAX_LISTED = 20

export function analyseOverlay(input: OverlayGraphInput, longLinkQuota: number): OverlayGraph {
  const { size } = input
  const parent = new Int32Array(size)
  for (let i = 0; i < size; i++) parent[i] = i
  const find = (x: number): number => {
    let root = x
    while (parent[root] !== root) root = parent[root] as number
    for (let node = x; parent[node] !== root; ) {
      const next = parent[node] as number
      parent[node] = root
      node = next
    }
    return root
  }
  const asymmetric: [number, number][] = []
  let asymmetricCount = 0
  let upNodes = 0
  let holdersOfDead = 0
  let deadReferences = 0
  let minDegree = Number.POSITIVE_INFINITY
  let maxDegree = 0
  let degreeSum = 0
  let withFullLongQuota = 0
  let longSum = 0
  const degreeHistogram: number[] = []
  for (let a = 0; a < size; a++) {
    if (!input.isUp(a)) continue
    upNodes++
    const neighbors = input.neighbors(a)
    const degree = neighbors.length
    minDegree = Math.min(minDegree, degree)
    maxDegree = Math.max(maxDegree, degree)
    degreeSum += degree
    degreeHistogram[degree] = (degreeHistogram[degree] ?? 0) + 1
    const long = input.longLinks(a)
    longSum += long
    if (long >= longLinkQuota) withFullLongQuota++
    let dead = 0
    for (const b of neighbors) {
      if (!input.isUp(b)) {
        dead++
        continue
      }
      if (!input.neighbors(b).includes(a)) {
        asymmetricCount++
        if (asymmetric.length < MAX_LISTED) asymmetric.push([a, b])
      }
      const ra = find(a)
      const rb = find(b)
      if (ra !== rb) parent[ra] = rb
    }
    if (dead > 0) holdersOfDead++
    deadReferences += dead
  }
  const componentSizes = new Map<number, number>()
  for (let i = 0; i < size; i++) {
    if (!input.isUp(i)) continue
    const root = find(i)
    componentSizes.set(root, (componentSizes.get(root) ?? 0) + 1)
  }
  let largestComponent = 0
  for (const componentSize of componentSizes.values())
    largestComponent = Math.max(largestComponent, componentSize)
  for (let d = 0; d < degreeHistogram.length; d++) degreeHistogram[d] ??= 0
  return {
    upNodes,
    asymmetric,
    asymmetricCount,
    holdersOfDead,
    deadReferences,
    minDegree: upNodes === 0 ? 0 : minDegree,
    maxDegree,
    meanDegree: upNodes === 0 ? 0 : degreeSum / upNodes,
    degreeHistogram,
    components: componentSizes.size,
    largestComponent,
    withFullLongQuota,
    meanLongLinks: upNodes === 0 ? 0 : longSum / upNodes,
  }
}
