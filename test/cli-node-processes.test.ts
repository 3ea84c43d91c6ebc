/**
 * `meshwork node start` as real processes on loopback (the libp2p engine, no discovery services): one
 * process per data directory. Every process started here is stopped by the end, and every wait is bounded.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { collect, exited, isRunning, until } from './child-processes.ts'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'meshwork-node-processes-'))
const children: ChildProcess[] = []

/** A loopback node with ports the OS picks, nothing that reaches beyond the machine. */
function startNode(dataDir: string, extra: readonly string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'node',
      'start',
      '--data-dir',
      dataDir,
      '--api',
      '127.0.0.1:0',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--no-mdns',
      '--no-dht',
      '--no-nat',
      '--log-level',
      'warn',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.push(child)
  return child
}

after(async () => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL')
  await Promise.all(children.map((child) => exited(child, 5_000).catch(() => null)))
  rmSync(dir, { recursive: true, force: true })
})

describe('one node process per data directory', { timeout: 90_000 }, () => {
  it('refuses a second node on the same data directory in one line naming the pid, with status 1', async () => {
    const dataDir = join(dir, 'shared')
    const first = startNode(dataDir)
    const firstOutput = collect(first)
    await until(() => firstOutput.stdout.includes('\n'), 45_000, 'the first node')
    assert.match(firstOutput.stdout, /^meshwork node 12D3KooW/)

    const second = startNode(dataDir)
    const secondOutput = collect(second)
    assert.equal(await exited(second, 45_000), 1)
    assert.equal(secondOutput.stdout, '')
    assert.equal(
      secondOutput.stderr,
      `meshwork: another node (pid ${first.pid}) runs on the data directory ${dataDir}; stop it first, or give this node its own --data-dir\n`,
    )
    assert.equal(first.exitCode, null, 'the first node keeps running')

    first.kill('SIGTERM')
    assert.equal(await exited(first, 15_000), 0)
    assert.equal(existsSync(join(dataDir, 'node.lock')), false, 'the lock is released on shutdown')
  })
})

describe('a node that cannot start', { timeout: 60_000 }, () => {
  it('says in one line which listen address is taken, with status 1 and no stack trace', async () => {
    const taken: Server = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const child = startNode(join(dir, 'bind-failure'), ['--listen', `/ip4/127.0.0.1/tcp/${port}`])
      const output = collect(child)
      assert.equal(await exited(child, 45_000), 1)
      assert.equal(
        output.stderr,
        `meshwork: cannot listen on /ip4/127.0.0.1/tcp/${port}: the address is in use (is another node running? pick another port)\n`,
      )
      assert.equal(existsSync(join(dir, 'bind-failure', 'node.lock')), false, 'the lock is released')
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })
})
