/**
 * The `meshwork` command as a user runs it: a child process per case, bounded in time.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const BIN = new URL('../bin/meshwork.js', import.meta.url).pathname
const run = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 })

describe('meshwork CLI', () => {
  it('prints its version and a help that lists the sim command', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    assert.equal(run('--version').stdout.trim(), version)
    const help = run('--help')
    assert.equal(help.status, 0)
    assert.match(help.stdout, /sim/)
    assert.match(run('sim', 'membership', '--help').stdout, /--nodes <n>/)
  })

  it('sim membership --json prints one report with the documented fields and a replay command', () => {
    const result = run('sim', 'membership', '--nodes', '20', '--seed', '3', '--crash', '2', '--json')
    assert.equal(result.status, 0, result.stderr)
    const report = JSON.parse(result.stdout) as Record<string, unknown>
    for (const field of [
      'nodes',
      'seed',
      'connectionClass',
      'detection',
      'falsePositives',
      'joinConvergenceMs',
      'messagesPerNodePerSecond',
      'simulatedMs',
      'wallMs',
      'eventsPerSecond',
      'replay',
    ]) {
      assert.ok(field in report, `missing ${field}`)
    }
    assert.equal(report.nodes, 20)
    assert.match(String(report.replay), /--nodes 20 --seed 3/)
    const detection = report.detection as { samples: number; p99Ms: number }
    assert.equal(detection.samples, 2)
  })

  it('replays a run bit for bit from its printed command', () => {
    const first = JSON.parse(
      run('sim', 'membership', '--nodes', '30', '--seed', '11', '--swarm', '--json').stdout,
    )
    const replayArgs = String(first.replay)
      .replace(/^npx meshwork /, '')
      .split(' ')
    const second = JSON.parse(run(...replayArgs).stdout)
    for (const key of ['detectionSamplesMs', 'falsePositiveEvents', 'events', 'simulatedMs', 'faults']) {
      assert.deepEqual(second[key], first[key], key)
    }
  })

  it('refuses a bad option with one line that says what is wrong, and a non-zero status', () => {
    for (const args of [
      ['sim', 'membership', '--nodes', 'many'],
      ['sim', 'membership', '--nodes', '10', '--connection-class', 'lunar'],
      ['sim', 'membership', '--nodes', '10', '--loss', '1.5'],
    ]) {
      const result = run(...args)
      assert.notEqual(result.status, 0, args.join(' '))
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, result.stderr)
      assert.match(lines[0] ?? '', /^meshwork: --[\w-]+ must be/)
    }
  })

  it('refuses what a simulation would silently not do: more crashes than can be measured, faults beside --swarm', () => {
    for (const [args, message] of [
      [
        ['--nodes', '10', '--crash', '20'],
        "--crash must be at most 8 with 10 nodes (two must survive to detect the crashes), got '20'",
      ],
      [
        ['--nodes', '10', '--crash', '9'],
        "--crash must be at most 8 with 10 nodes (two must survive to detect the crashes), got '9'",
      ],
      [
        ['--nodes', '10', '--swarm', '--loss', '0.1'],
        '--loss cannot be combined with --swarm: the seed draws its own fault mix',
      ],
      [
        ['--nodes', '10', '--steady-ms', '99999999999'],
        "--steady-ms must be an integer from 0 to 3600000, got '99999999999'",
      ],
      [
        ['--nodes', '10', '--crash-spacing-ms', '0'],
        "--crash-spacing-ms must be an integer from 1 to 3600000, got '0'",
      ],
    ] as const) {
      const result = run('sim', 'membership', ...args)
      assert.equal(result.status, 2, args.join(' '))
      assert.equal(result.stderr, `meshwork: ${message}\n`)
    }
  })

  it('says when --loss applies', () => {
    assert.match(
      run('sim', 'membership', '--help').stdout.replace(/\s+/g, ' '),
      /--loss <rate> message loss from the start until the liveness phase/,
    )
  })

  it('answers usage mistakes in the same one-line form, with status 2', () => {
    for (const [args, message] of [
      [['sim', 'membership'], "required option '--nodes <n>' not specified"],
      [['sim', 'membership', '--nodes', '3', '--bogus'], "unknown option '--bogus'"],
      [['evolve'], "missing required argument 'task'"],
      [['nope'], "unknown command 'nope'\n(Did you mean node?)"],
    ] as const) {
      const result = run(...args)
      assert.equal(result.status, 2, args.join(' '))
      assert.equal(result.stderr, `meshwork: ${message}\n(run with --help for usage)\n`)
    }
  })

  it('names what is wrong with a file it cannot read, without the system call', () => {
    for (const [args, reason] of [
      [['evaluate', '/nonexistent/network.json'], '/nonexistent/network.json does not exist'],
      [['evaluate', '/'], '/ is a directory'],
    ] as const) {
      const result = run(...args)
      assert.equal(result.status, 2)
      assert.equal(result.stderr, `meshwork: cannot read ${reason}\n`)
    }
  })

  it('refuses a cluster directory that is a file, in one line', () => {
    const result = run('cluster', 'up', '--nodes', '1', '--dir', MAIN)
    assert.equal(result.status, 2)
    assert.equal(result.stderr, `meshwork: --dir ${MAIN} is a file; it must be a directory\n`)
  })

  it('says which Node.js it needs when started on an older one, instead of failing on the TypeScript', () => {
    // An older Node, as the bin sees it: process.versions.node is what it checks.
    const older = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '20.20.2' })`
    const result = spawnSync(process.execPath, ['--import', older, BIN, '--version'], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(result.status, 1)
    assert.equal(
      result.stderr,
      'meshwork: needs Node.js 24 or newer, and this is Node.js 20.20.2; in a checkout, `npm ci` installs Node 24 and `npx meshwork` runs on it\n',
    )
    assert.equal(result.stdout, '')
    assert.match(
      spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).stdout,
      /^\d+\.\d+\.\d+\n$/,
    )
  })
})
