/**
 * `meshwork start` as a user runs it: a local cluster of two real node processes, its live event log,
 * the commands it suggests, a node killed and restarted from "another terminal", and every node dying.
 * Loopback only, every wait bounded, every process stopped by the end.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { after, describe, it } from 'node:test'
import { collect, exited, isRunning, type Output, until } from './child-processes.ts'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
// away from `npm start`'s ports (17000…) and test/cluster.test.ts's (27000…)
const BASE_PORT = 20_000 + (process.pid % 200) * 3
const runs: { child: ChildProcess; output: Output }[] = []

function cli(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 90_000 })
}

function start(basePort: number): { child: ChildProcess; output: Output } {
  const child = spawn(process.execPath, [MAIN, 'start', '--nodes', '2', '--base-port', String(basePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run = { child, output: collect(child) }
  runs.push(run)
  return run
}

after(async () => {
  // Ctrl-C first: start stops its nodes itself; whatever is left is taken down through its state file.
  for (const { child } of runs) if (isRunning(child)) child.kill('SIGINT')
  await Promise.all(runs.map(({ child }) => exited(child, 20_000).catch(() => null)))
  for (const { child, output } of runs) {
    if (isRunning(child)) child.kill('SIGKILL')
    const dir = stateDir(output.stdout)
    if (dir !== undefined && existsSync(dir)) cli('cluster', 'down', '--dir', dir)
  }
})

/** Asserts that a `cli` run exited 0, showing what it printed if not. */
function succeeds(result: ReturnType<typeof cli>): void {
  assert.equal(result.status, 0, `status ${result.status}:\n${result.stdout}${result.stderr}`)
}

function stateDir(stdout: string): string | undefined {
  return /state in (\S+?)\)…/.exec(stdout)?.[1]
}

describe('meshwork start', { timeout: 180_000 }, () => {
  it('suggests commands with its real node names, follows a restarted node, and cleans up when every node died', async () => {
    const { child, output } = start(BASE_PORT)
    await until(() => output.stdout.includes('live events'), 90_000, 'the cluster')
    const dir = stateDir(output.stdout)
    assert.ok(dir !== undefined, output.stdout)
    for (const command of [
      `npx meshwork cluster kill n1 --dir ${dir}`,
      `npx meshwork cluster restart n1 --dir ${dir}`,
      `npx meshwork cluster partition n0 --dir ${dir}`,
      `npx meshwork cluster heal --dir ${dir}`,
    ]) {
      assert.ok(output.stdout.includes(`  ${command}\n`), `${command} in:\n${output.stdout}`)
    }
    assert.doesNotMatch(output.stdout, /\bn[2-9]\b/)

    succeeds(cli('cluster', 'kill', 'n1', '--dir', dir))
    await until(() => /n0 +n1 FAILED|n0 +n1 left/.test(output.stdout), 20_000, "n0's report of n1")
    succeeds(cli('cluster', 'restart', 'n1', '--dir', dir))
    await until(
      () => /n1 is back \(pid \d+\); following its events again/.test(output.stdout),
      20_000,
      'the reopened stream',
    )
    // n1's own stream is open again: a kill of n0 now shows in n1's log
    succeeds(cli('cluster', 'kill', 'n0', '--dir', dir))
    await until(() => /n1 +n0 FAILED/.test(output.stdout), 20_000, "n1's report of n0")

    succeeds(cli('cluster', 'kill', 'n1', '--dir', dir))
    assert.equal(await exited(child, 30_000), 1, output.stdout + output.stderr)
    assert.match(
      output.stdout,
      /every node has stopped \(killed from another terminal\?\); cleaned up .*; nothing is left running\n$/,
    )
    assert.equal(existsSync(dir), false, 'the state directory is removed')
  })

  it('prints why a node failed to start, and leaves nothing behind', async () => {
    // A program that accepts connections on n1's API port and never answers.
    const taken: Server = createServer((socket) => socket.destroy())
    const basePort = BASE_PORT + 600
    await new Promise<void>((resolve) => taken.listen(basePort + 1, '127.0.0.1', resolve))
    try {
      const { child, output } = start(basePort)
      assert.equal(await exited(child, 90_000), 1)
      assert.match(
        output.stderr,
        new RegExp(
          `^meshwork: node n1 could not start: cannot listen for the API on 127\\.0\\.0\\.1:${basePort + 1}: the address is in use .*--base-port\\n$`,
        ),
      )
      const dir = stateDir(output.stdout) ?? ''
      assert.equal(existsSync(dir), false, 'the state directory is removed')
    } finally {
      taken.close()
    }
  })
})
