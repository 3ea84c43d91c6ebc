import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'

it('lists every platform build an optional dependency names, so that npm ci accepts the lock', () => {
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>
  }
  const missing: string[] = []
  for (const entry of Object.values(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (lock.packages[`node_modules/${name}`] === undefined) missing.push(name)
    }
  }
  assert.deepEqual(
    missing,
    [],
    'run `npm run lock:complete` after npm install (see scripts/complete-lockfile.ts)',
  )
})
