/**
 * The layout rule of the architecture: each folder's `index.ts` is its public surface and is what other
 * folders import. A unit is a top-level folder of `src/` (kernel, node, api, …) or, under the folders that
 * group several (`engines/`, `protocols/`, `workloads/`), one of their children; files inside a unit
 * import each other freely, while an import from another unit must name an `index.ts` — the unit's own,
 * or that of a folder within it that is a lighter surface of its own (`daemon/config/`: the option
 * table, without the server). Tests and benchmarks may reach inside (they test and measure the parts).
 *
 * `api/` is also self-contained: it imports nothing but itself and the kernel (plain constants), so that a
 * browser dashboard can import it alone.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const GROUPS = new Set(['engines', 'protocols', 'workloads'])
/** `protocols/` itself holds the module contract; its own files and `testing/` form the `protocols` unit. */
const GROUP_OWN_FILES = new Set(['protocols'])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** The unit a source file belongs to, as a path relative to src/; a file at the root is its own unit. */
function unitOf(file: string): string {
  const parts = relative(SRC, file).split('/')
  if (parts.length === 1) return parts[0] === 'index.ts' ? '' : (parts[0] as string)
  const [top, second] = parts
  if (top !== undefined && GROUPS.has(top) && parts.length > 2 && second !== undefined) {
    if (GROUP_OWN_FILES.has(top) && second === 'testing') return top
    return `${top}/${second}`
  }
  return top ?? ''
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
    const specifier = match[1] ?? match[2]
    if (specifier !== undefined) found.push(resolve(dirname(file), specifier))
  }
  return found
}

describe('source layout', () => {
  const files = sources(SRC).filter((file) => !file.includes('/testing/'))

  it('imports another folder only through its index.ts', () => {
    const violations: string[] = []
    for (const file of files) {
      const unit = unitOf(file)
      for (const target of imports(file)) {
        const targetUnit = unitOf(target)
        if (targetUnit === unit) continue
        const surface = targetUnit.endsWith('.ts')
          ? target === join(SRC, targetUnit)
          : target.endsWith('/index.ts')
        if (!surface) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`)
      }
    }
    assert.deepEqual(violations, [])
  })

  it('keeps api/ importable on its own: it imports only api/ and the kernel', () => {
    const outside = files
      .filter((file) => unitOf(file) === 'api')
      .flatMap((file) =>
        imports(file)
          .filter((target) => !['api', 'kernel'].includes(unitOf(target)))
          .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
      )
    assert.deepEqual(outside, [])
    const nodeModules = files
      .filter((file) => unitOf(file) === 'api')
      .filter((file) => /from 'node:|from '[a-z@]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file))
    assert.deepEqual(nodeModules, [], 'api/ uses no Node module or package (a browser must load it)')
  })
})
