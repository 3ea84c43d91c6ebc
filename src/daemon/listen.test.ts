/**
 * Token policy and listening: which hosts need a token, the token file's life (made once with mode 0600,
 * reused, refused when others can read it), and the message when the port is taken.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isMeshError } from '../kernel/index.ts'
import { formatApiAddress, isLoopbackHost, parseApiAddress } from './config/index.ts'
import { API_TOKEN_FILE, listenApi, loadOrCreateApiToken, needsToken } from './listen.ts'
import { buildServer } from './server.ts'
import { FakeNode } from './testing/fake-node.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-listen-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('API address', () => {
  it('parses HOST:PORT and [IPv6]:PORT, and refuses the rest', () => {
    assert.deepEqual(parseApiAddress('127.0.0.1:7070'), { host: '127.0.0.1', port: 7070 })
    assert.deepEqual(parseApiAddress('[::1]:0'), { host: '::1', port: 0 })
    assert.deepEqual(parseApiAddress('localhost:80'), { host: 'localhost', port: 80 })
    for (const bad of [
      '127.0.0.1',
      ':7070',
      '127.0.0.1:65536',
      'http://127.0.0.1:7070',
      '[nope]:1',
      '::1:7070',
    ]) {
      assert.equal(parseApiAddress(bad), undefined, bad)
    }
    assert.equal(formatApiAddress({ host: '::1', port: 7070 }), '[::1]:7070')
  })

  it('needs a token exactly when the host is not loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      assert.ok(isLoopbackHost(host), host)
      assert.equal(needsToken({ host, port: 7070 }), false)
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1']) {
      assert.equal(needsToken({ host, port: 7070 }), true, host)
    }
  })
})

describe('API token file', () => {
  it('is made on first use with mode 0600 and 64 hex characters, then reused', () => {
    const dataDir = join(dir, 'node-a')
    const first = loadOrCreateApiToken(dataDir)
    assert.equal(first.created, true)
    assert.equal(first.path, join(dataDir, API_TOKEN_FILE))
    assert.match(first.token, /^[0-9a-f]{64}$/)
    assert.equal(readFileSync(first.path, 'utf8').trim(), first.token)
    if (process.platform !== 'win32') assert.equal(statSync(first.path).mode & 0o777, 0o600)
    const second = loadOrCreateApiToken(dataDir)
    assert.deepEqual(second, { ...first, created: false })
  })

  it('is refused when other users can read it, or when it holds no token', {
    skip: process.platform === 'win32',
  }, () => {
    const open = join(dir, 'node-open')
    const { path } = loadOrCreateApiToken(open)
    chmodSync(path, 0o644)
    assert.throws(
      () => loadOrCreateApiToken(open),
      (error) =>
        isMeshError(error) && /can be read by other users \(mode 644\); run: chmod 600 /.test(error.message),
    )
    chmodSync(path, 0o600)
    writeFileSync(path, 'garbage')
    assert.throws(
      () => loadOrCreateApiToken(open),
      (error) =>
        isMeshError(error) && /does not hold a token .* delete it and start again/.test(error.message),
    )
  })
})

describe('listening', () => {
  it('answers the URL with the port the OS chose, and says clearly when the port is taken', async () => {
    const first = buildServer(new FakeNode(), { defaultMetrics: false })
    const second = buildServer(new FakeNode(), { defaultMetrics: false })
    try {
      const url = await listenApi(first, { host: '127.0.0.1', port: 0 })
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const port = Number(new URL(url).port)
      assert.ok(port > 0)
      await assert.rejects(
        listenApi(second, { host: '127.0.0.1', port }),
        (error) =>
          isMeshError(error) &&
          error.code === 'UNAVAILABLE' &&
          error.message ===
            `cannot listen for the API on 127.0.0.1:${port}: the address is in use (is another node running? pick another with --api 127.0.0.1:${port + 1})`,
      )
    } finally {
      await first.close()
      await second.close()
    }
  })
})
