/**
 * Meshwork's release version, read once from package.json so the CLI, the control API and the node
 * status never disagree. `src/version.ts` and `dist/version.js` both sit one level below the package root.
 */
import { readFileSync } from 'node:fs'

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version
