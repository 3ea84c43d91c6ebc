/**
 * The sans-IO rule, checked: kernel and protocol cores, and the MeshNode that composes them, take time,
 * randomness and messages as arguments and return deadlines and messages, so they must not reach the host.
 * This walks every non-test `.ts` file under `src/kernel`, `src/protocols` and `src/node` and names the
 * file and line of any clock, timer, host global, Node module or libp2p import.
 *
 * Comments, string contents and regular-expression bodies are masked before matching, so prose such as
 * "the engine uses performance.now()" passes. Identifiers match as whole words and not after a `.`, so
 * `frame.date`, `this.process()` and `processed` pass. Import specifiers are read only where the masked
 * source has an import, export-from, dynamic import or require.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CHECKED_DIRECTORIES = ['src/kernel', 'src/protocols', 'src/node']

/** Globals a sans-IO core must not touch, each with the reason. */
const BANNED_GLOBALS: Record<string, string> = {
  Date: 'reads the wall clock; take `now` as an argument',
  performance: 'reads the clock; take `now` as an argument',
  setTimeout: 'schedules on the host; return a deadline instead',
  setInterval: 'schedules on the host; return a deadline instead',
  setImmediate: 'schedules on the host; return work instead',
  queueMicrotask: 'schedules on the host; return work instead',
  process: 'touches the host process',
  console: 'writes to the host; return events instead',
  globalThis: 'reaches host globals around these rules',
  crypto: 'ambient randomness or I/O; use a seeded Random',
  fetch: 'network I/O',
}

interface Violation {
  readonly line: number
  readonly rule: string
}

// ---- masking -------------------------------------------------------------------------------------------

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
])

/**
 * Returns `source` with every comment, string body, template text and regex body replaced by spaces
 * (newlines kept, so offsets and line numbers are unchanged). Quotes and template `${…}` code are kept.
 */
function maskNonCode(source: string): string {
  const out = source.split('')
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  // the stack says what a `}` closes: an ordinary block or a template expression `${ … }`
  const braces: ('block' | 'template')[] = []
  let lastSignificant = '' // the last non-space code character, for telling a regex from a division
  let lastWord = ''
  let i = 0

  const scanTemplateText = (): void => {
    // i is just after a backtick or the `}` closing an expression
    const start = i
    while (i < source.length) {
      const char = source[i]
      if (char === '\\') {
        i += 2
      } else if (char === '`') {
        blank(start, i)
        i++
        lastSignificant = '`'
        return
      } else if (char === '$' && source[i + 1] === '{') {
        blank(start, i)
        braces.push('template')
        i += 2
        lastSignificant = '{'
        return
      } else {
        i++
      }
    }
    blank(start, i)
  }

  while (i < source.length) {
    const char = source[i] as string
    const next = source[i + 1]
    if (char === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      const stop = end === -1 ? source.length : end
      blank(i, stop)
      i = stop
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? source.length : end + 2
      blank(i, stop)
      i = stop
    } else if (char === "'" || char === '"') {
      let j = i + 1
      while (j < source.length && source[j] !== char && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1
      blank(i + 1, Math.min(j, source.length))
      i = j + 1
      lastSignificant = char
      lastWord = ''
    } else if (char === '`') {
      i++
      scanTemplateText()
      lastWord = ''
    } else if (
      char === '/' &&
      (lastSignificant === '' ||
        '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant) ||
        KEYWORDS_BEFORE_EXPRESSION.has(lastWord))
    ) {
      // a regular expression literal: skip to the closing `/`, minding escapes and character classes
      let j = i + 1
      let inClass = false
      while (j < source.length && source[j] !== '\n') {
        const c = source[j]
        if (c === '\\') j++
        else if (c === '[') inClass = true
        else if (c === ']') inClass = false
        else if (c === '/' && !inClass) break
        j++
      }
      blank(i + 1, j)
      i = j + 1
      lastSignificant = '/'
      lastWord = ''
    } else if (char === '{') {
      braces.push('block')
      lastSignificant = char
      lastWord = ''
      i++
    } else if (char === '}') {
      i++
      if (braces.pop() === 'template') {
        scanTemplateText()
      } else {
        lastSignificant = char
      }
      lastWord = ''
    } else if (/[\w$]/.test(char)) {
      let j = i
      while (j < source.length && /[\w$]/.test(source[j] as string)) j++
      lastWord = source.slice(i, j)
      lastSignificant = 'a'
      i = j
    } else {
      if (!/\s/.test(char)) {
        lastSignificant = char
        lastWord = ''
      }
      i++
    }
  }
  return out.join('')
}

// ---- rules ---------------------------------------------------------------------------------------------

const NODE_BUILTINS = new Set(builtinModules)

function bannedModuleReason(specifier: string): string | undefined {
  if (
    specifier.startsWith('node:') ||
    NODE_BUILTINS.has(specifier) ||
    NODE_BUILTINS.has(specifier.split('/')[0] ?? '')
  ) {
    return 'imports a Node module'
  }
  if (/^libp2p($|[/-])/.test(specifier) || /^@(libp2p|chainsafe)\//.test(specifier)) return 'imports libp2p'
  return undefined
}

function lineAt(source: string, offset: number): number {
  let line = 1
  for (let k = 0; k < offset; k++) if (source.charCodeAt(k) === 10) line++
  return line
}

/** Every sans-IO violation in one file's source. */
function findViolations(source: string): Violation[] {
  const code = maskNonCode(source)
  const violations: { offset: number; rule: string }[] = []

  for (const [name, reason] of Object.entries(BANNED_GLOBALS)) {
    const pattern = new RegExp(`(?<![\\w$#]|\\.\\s*)${name}(?![\\w$])`, 'g')
    for (const match of code.matchAll(pattern))
      violations.push({ offset: match.index, rule: `${name}: ${reason}` })
  }
  for (const match of code.matchAll(/(?<![\w$#]|\.\s*)Math\s*\.\s*random(?![\w$])/g)) {
    violations.push({ offset: match.index, rule: 'Math.random: unseeded; use a seeded Random' })
  }

  // the masked code keeps the quotes of a specifier; its text is read from the original source
  const specifierStarts = /\b(?:from|import|require)\s*\(?\s*(?=['"`])/g
  for (const match of code.matchAll(specifierStarts)) {
    const quoteAt = match.index + match[0].length
    const closeAt = code.indexOf(code[quoteAt] as string, quoteAt + 1)
    if (closeAt === -1) continue
    const specifier = source.slice(quoteAt + 1, closeAt)
    const reason = bannedModuleReason(specifier)
    if (reason !== undefined) violations.push({ offset: quoteAt, rule: `'${specifier}': ${reason}` })
  }

  return violations
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, rule }) => ({ line: lineAt(source, offset), rule }))
}

function checkedFiles(): string[] {
  const files: string[] = []
  for (const directory of CHECKED_DIRECTORIES) {
    const absolute = join(ROOT, directory)
    if (!existsSync(absolute)) continue
    for (const entry of readdirSync(absolute, { recursive: true, encoding: 'utf8' })) {
      if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) files.push(join(absolute, entry))
    }
  }
  return files.sort()
}

// ---- tests ---------------------------------------------------------------------------------------------

describe('sans-IO rules', () => {
  it('finds the kernel sources to check', () => {
    const names = checkedFiles().map((file) => relative(ROOT, file))
    for (const expected of [
      'src/kernel/time.ts',
      'src/kernel/random.ts',
      'src/kernel/codec.ts',
      'src/kernel/index.ts',
    ]) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`)
    }
    assert.ok(names.every((name) => !name.endsWith('.test.ts')))
  })

  it('kernel and protocol sources use no clock, timer, host global, Node module or libp2p import', () => {
    const report: string[] = []
    for (const file of checkedFiles()) {
      for (const { line, rule } of findViolations(readFileSync(file, 'utf8'))) {
        report.push(`${relative(ROOT, file)}:${line}: ${rule}`)
      }
    }
    assert.deepEqual(report, [], `sans-IO violations:\n${report.join('\n')}`)
  })

  describe('the checker itself', () => {
    const banned: [string, string][] = [
      ['Date.now()', 'const nowMs = Date.now()'],
      ['new Date()', 'const started = new Date()'],
      ['Date as a type', 'let when: Date | undefined'],
      ['performance.now()', 'const t = performance.now()'],
      ['Math.random()', 'const coin = Math.random() < 0.5'],
      ['Math . random with spaces', 'const pick = Math . random'],
      ['setTimeout', 'setTimeout(() => tick(), 10)'],
      ['setInterval', 'const handle = setInterval(tick, 10)'],
      ['setImmediate', 'setImmediate(tick)'],
      ['queueMicrotask', 'queueMicrotask(tick)'],
      ['process', 'const debug = process.env.DEBUG'],
      ['console', 'console.log(state)'],
      ['globalThis', 'globalThis.setTimeout(tick, 1)'],
      ['crypto', 'crypto.getRandomValues(buffer)'],
      ['fetch', 'await fetch(url)'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a source snippet containing a template literal
      ['a banned use inside a template expression', 'const line = `at ${Date.now()} ms`'],
      ['a banned use after a regex literal', 'const ok = /\\d+/.test(text) && console'],
      ['an import from node:fs', "import { readFileSync } from 'node:fs'"],
      ['an import of a bare builtin', 'import { EventEmitter } from "events"'],
      ['a builtin subpath', "import { setTimeout as sleep } from 'timers/promises'"],
      ['a side-effect import of node:net', "import 'node:net'"],
      ['a dynamic import of node:fs', "const fs = await import('node:fs')"],
      ['a require of fs', "const fs = require('fs')"],
      ['an export-from of node:path', 'export { join } from "node:path"'],
      ['a multi-line import from node:crypto', "import {\n  randomBytes,\n} from 'node:crypto'"],
      ['an import of libp2p', "import { createLibp2p } from 'libp2p'"],
      ['a type import from @libp2p', "import type { PeerId } from '@libp2p/interface'"],
      ['an import from @chainsafe', "import { gossipsub } from '@chainsafe/libp2p-gossipsub'"],
    ]
    for (const [name, snippet] of banned) {
      it(`flags ${name}`, () => {
        assert.notDeepEqual(findViolations(snippet), [], snippet)
      })
    }

    it('passes clean code that only mentions banned names in comments, strings, regexes and other identifiers', () => {
      const clean = [
        '/**',
        ' * The engine reads performance.now() and Date.now(); cores never call setTimeout.',
        " * import { readFileSync } from 'node:fs'",
        ' */',
        "import { Decoder } from './codec.ts'",
        "import type { Engine } from '../engines/libp2p-engine.ts'",
        "export { Random } from './random.ts'",
        '// console.log(process.env) and Math.random() are for engines only',
        'const label = "process console Date performance"',
        "const other = 'setTimeout(f) /* not a comment */ // nor this'",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a source snippet containing a template literal
        'const template = `the console says ${label.length} things about Date`',
        'const pattern = /Date|console|["\'`]\\/\\//g',
        'const ratio = total / count / 2',
        'const processed = 1, DateLike = 2, myConsole = 3, $Date = 4, performanceBudgetMs = 5',
        'class Core { #process = 0; step() { return this.process + this.#process } }',
        'const frame = { date: 1 }; frame.date; state?.console; Math.randomish; Mathematics.random',
        'const escaped = "a \\" Date \\" b"',
      ].join('\n')
      const violations = findViolations(clean)
      assert.deepEqual(violations, [], JSON.stringify(violations, null, 2))
    })

    it('flags a method or key named after a banned global, since without types it cannot tell them apart', () => {
      assert.equal(findViolations('class Core { process(input) {} }').length, 1)
      assert.equal(findViolations('const options = { console: true }').length, 1)
    })

    it('names the line of each violation', () => {
      const source = [
        '// line 1 mentions Date.now()',
        'const a = 1',
        '',
        'const t = Date.now()',
        'console.log(t)',
      ].join('\n')
      assert.deepEqual(
        findViolations(source).map(({ line }) => line),
        [4, 5],
      )
    })

    it('masks comments, strings, templates and regexes without moving any offset, and tells a regex from a division', () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a source snippet containing a template literal
      const source = "a // x\nb /* y\nz */ 'q' `t${c}u`; /r/g; `v` / w"
      const masked = maskNonCode(source)
      assert.equal(masked.length, source.length)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a source snippet containing a template literal
      assert.equal(masked, "a     \nb     \n     ' ' ` ${c} `; / /g; ` ` / w")
    })
  })
})
