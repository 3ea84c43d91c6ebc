/**
 * Adds lock entries for platform-specific optional packages that the lock is missing.
 *
 * Why: the registry these machines reach serves only the Linux builds of packages such as
 * `@biomejs/cli-darwin-arm64`, so `npm install` records only those in package-lock.json, and npm 11's
 * `npm ci` then refuses the lock as out of sync ("Missing: … from lock file"; npm/cli #4828, #8320).
 * An entry that names the package's os and cpu is all `npm ci` needs: it skips a package for another
 * platform without fetching it. Run after every `npm install` that changes the lock:
 *
 *     npm run lock:complete
 */
import { readFileSync, writeFileSync } from 'node:fs'

interface LockEntry {
  version?: string
  dev?: boolean
  optional?: boolean
  optionalDependencies?: Record<string, string>
  os?: string[]
  cpu?: string[]
  libc?: string[]
}

/**
 * `<name>-<os>-<cpu>[-<libc>]`, the way Biome, libp2p-quic and esbuild (`@esbuild/netbsd-arm64`,
 * `@esbuild/openharmony-arm64`, `@esbuild/linux-loong64`, …) name their builds.
 */
const PLATFORM =
  /[-/](darwin|linux|win32|android|freebsd|openbsd|netbsd|openharmony|sunos|aix)-(x64|arm64|arm|ia32|ppc64|s390x|riscv64|loong64|mips64el)(-(musl|gnu|msvc|gnueabihf))?$/

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, LockEntry> }
let added = 0
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (lock.packages[key] !== undefined) continue
    const platform = PLATFORM.exec(name)
    if (platform === null) continue // not a platform build: leave it to npm
    const version = range.replace(/^[\^~=]/, '')
    const missing: LockEntry = {
      version,
      optional: true,
      os: [platform[1] as string],
      cpu: [platform[2] as string],
    }
    if (entry.dev === true || location === '') missing.dev = entry.dev ?? false
    if (platform[4] === 'musl' || platform[4] === 'gnu')
      missing.libc = [platform[4] === 'musl' ? 'musl' : 'glibc']
    lock.packages[key] = missing
    added++
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
)
writeFileSync(path, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`)
process.stdout.write(`complete-lockfile: added ${added} platform entries\n`)
