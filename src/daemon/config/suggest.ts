/**
 * "Did you mean" for misspelt option names: the known name nearest by edit distance, when near enough
 * to be a typo. `memory-mb` is matched to `memoryMb` first, since config files use camelCase.
 */

export function suggestName(unknown: string, known: readonly string[]): string | undefined {
  const camel = unknown.replace(/[-_]([a-z])/g, (_, letter: string) => letter.toUpperCase())
  if (camel !== unknown && known.includes(camel)) return camel
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const distance = editDistance(unknown.toLowerCase(), name.toLowerCase())
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  // A third of the name, at least 2: "capcity" → "capacity", but "foo" suggests nothing.
  const tolerance = Math.max(2, Math.floor(unknown.length / 3))
  return bestDistance <= tolerance ? best : undefined
}

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
