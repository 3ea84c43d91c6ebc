/**
 * The `meshwork` command as a user runs it: a child process per case, bounded in time.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
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
})
