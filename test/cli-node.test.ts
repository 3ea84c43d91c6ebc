/**
 * The node verbs as a user runs them: `meshwork status` and `members` in a child process against a real
 * API on 127.0.0.1 serving a fake node, the one-line failures, and `node start`'s daemon with a fake
 * engine (the libp2p engine has its own tests).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { getStatus } from '../src/api/index.ts'
import { readyLine } from '../src/cli/commands/node-start.ts'
import {
  buildServer,
  CONFIG_DEFAULTS,
  createLogger,
  listenApi,
  resolveConfig,
  runDaemon,
  type SignalSource,
  shutdown,
} from '../src/daemon/index.ts'
import { FAKE_OTHER_PEER_ID, FAKE_PEER_ID, FakeNode } from '../src/daemon/testing/fake-node.ts'
import { makeTestCertificate } from '../src/daemon/testing/test-certificate.ts'

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname
const { MESHWORK_API_TOKEN: _ignored, ...withoutToken } = process.env
const TOKEN = 'd'.repeat(64)

async function run(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...withoutToken, ...env },
    })
    return { status: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const node = new FakeNode()
const open = buildServer(node, { defaultMetrics: false })
const guarded = buildServer(new FakeNode(), { requireToken: TOKEN, defaultMetrics: false })
const dir = mkdtempSync(join(tmpdir(), 'meshwork-cli-node-'))
let openUrl = ''
let guardedUrl = ''

before(async () => {
  openUrl = await listenApi(open, { host: '127.0.0.1', port: 0 })
  guardedUrl = await listenApi(guarded, { host: '127.0.0.1', port: 0 })
})

after(async () => {
  await shutdown({ app: open, node })
  await shutdown({ app: guarded, node: new FakeNode() })
  rmSync(dir, { recursive: true, force: true })
})

describe('meshwork status and members', { timeout: 60_000 }, () => {
  it('status prints a summary, or with --json the API answer', async () => {
    const summary = await run(['status', '--api', openUrl])
    assert.equal(summary.status, 0, summary.stderr)
    assert.match(summary.stdout, new RegExp(`^node +${FAKE_PEER_ID}$`, 'm'))
    assert.match(summary.stdout, /^members +2 alive, 0 suspect, 1 failed, 0 left$/m)
    assert.match(summary.stdout, /^uptime +1 min 5 s$/m)
    const json = await run(['status', '--api', openUrl.replace('http://', ''), '--json'])
    assert.deepEqual(JSON.parse(json.stdout), node.statusValue)
  })

  it('members prints a table with shortened ids, state, incarnation, labels, region and rtt', async () => {
    const table = await run(['members', '--api', openUrl])
    assert.equal(table.status, 0, table.stderr)
    const lines = table.stdout.split('\n')
    assert.match(lines[0] ?? '', /^PEER ID +STATE +INCARNATION +LABELS +REGION +RTT$/)
    assert.match(lines[1] ?? '', /^12D3KooW…kSCVe2Xo \(self\) +alive +3 +gpu,linux +eu-west +—$/)
    assert.match(lines[2] ?? '', /^12D3KooW…swrRJsNK +alive +1 +— +— +12 ms$/)
    assert.match(table.stdout, /^2 members: 2 alive$/m)
    const json = await run(['members', '--api', openUrl, '--json'])
    assert.deepEqual(JSON.parse(json.stdout).members[1].peerId, FAKE_OTHER_PEER_ID)
  })

  it('says in one line, with status 1, that no node answers', async () => {
    const closed = buildServer(new FakeNode(), { defaultMetrics: false })
    const url = await listenApi(closed, { host: '127.0.0.1', port: 0 })
    await closed.close()
    for (const verb of ['status', 'members']) {
      const result = await run([verb, '--api', url])
      assert.equal(result.status, 1)
      assert.equal(result.stdout, '')
      assert.equal(
        result.stderr,
        `meshwork: cannot reach the node's API at ${url} (is it running? start one with: meshwork node start)\n`,
      )
    }
  })

  it('talks to a node serving HTTPS with --ca (or $MESHWORK_API_CA), and says in one line when it is missing', async () => {
    const certificate = makeTestCertificate(dir)
    const secure = buildServer(new FakeNode(), { tls: certificate, defaultMetrics: false })
    const url = await listenApi(secure, { host: '127.0.0.1', port: 0 }, 'https')
    try {
      const trusted = await run(['status', '--api', url, '--ca', certificate.certFile, '--json'])
      assert.equal(trusted.status, 0, trusted.stderr)
      assert.equal(JSON.parse(trusted.stdout).peerId, FAKE_PEER_ID)
      assert.equal(
        (await run(['members', '--api', url], { MESHWORK_API_CA: certificate.certFile })).status,
        0,
      )
      const untrusted = await run(['status', '--api', url])
      assert.equal(untrusted.status, 1)
      assert.match(untrusted.stderr, /^meshwork: the node's API at https:.* does not trust .*--ca FILE\n$/)
      const missing = await run(['status', '--api', url, '--ca', join(dir, 'none.pem')])
      assert.equal(missing.status, 2)
      assert.equal(missing.stderr, `meshwork: --ca file ${join(dir, 'none.pem')} does not exist\n`)
    } finally {
      await secure.close()
    }
  })

  it('sends --token or $MESHWORK_API_TOKEN, and says in one line when it is missing', async () => {
    const missing = await run(['status', '--api', guardedUrl])
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /^meshwork: this API needs a bearer token: .*--token.*\n$/)
    assert.equal((await run(['status', '--api', guardedUrl, '--token', TOKEN])).status, 0)
    assert.equal((await run(['members', '--api', guardedUrl], { MESHWORK_API_TOKEN: TOKEN })).status, 0)
  })
})

describe('meshwork node start', { timeout: 60_000 }, () => {
  it('refuses bad flags and bad config files in one line with status 2, before loading the engine', async () => {
    writeFileSync(join(dir, 'typo.json'), '{"capcity": 2}')
    writeFileSync(join(dir, 'a-file'), '')
    for (const [args, message] of [
      [
        ['--listen', '/ip4/127.0.0.1/tcp/99999'],
        "meshwork: --listen must be a multiaddr like /ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/udp/4001/quic-v1, got '/ip4/127.0.0.1/tcp/99999' (value must be smaller than or equal to 65535)",
      ],
      [
        ['--listen', '/ip4/300.0.0.1/tcp/1'],
        `meshwork: --listen must be a multiaddr like /ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/udp/4001/quic-v1, got '/ip4/300.0.0.1/tcp/1' (invalid IPv4 address "300.0.0.1")`,
      ],
      [
        ['--listen', '/foo/bar'],
        "meshwork: --listen must be a multiaddr like /ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/udp/4001/quic-v1, got '/foo/bar' (protocol foo was unknown)",
      ],
      [
        ['--listen', '/ip4/127.0.0.1/udp/4001'],
        "meshwork: --listen must be a multiaddr like /ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/udp/4001/quic-v1, got '/ip4/127.0.0.1/udp/4001' (the node speaks TCP (/tcp/<port>) and QUIC (/udp/<port>/quic-v1))",
      ],
      [
        ['--seeds', '/ip4/127.0.0.1/tcp/70000'],
        "meshwork: --seeds must be a multiaddr like /ip4/192.0.2.7/tcp/4001 or /dns4/seed.example/udp/4001/quic-v1, got '/ip4/127.0.0.1/tcp/70000' (value must be smaller than or equal to 65535)",
      ],
      [
        ['--data-dir', join(dir, 'a-file')],
        `meshwork: --data-dir must be a directory, got '${join(dir, 'a-file')}' (${join(dir, 'a-file')} is a file)`,
      ],
      [['--capacity', 'x'], "meshwork: --capacity must be a non-negative integer, got 'x'"],
      [
        ['--connection-class', 'lunar'],
        "meshwork: --connection-class must be one of lan, wan, mobile, hostile, got 'lunar'",
      ],
      [
        ['--config', join(dir, 'typo.json')],
        `meshwork: config file ${join(dir, 'typo.json')}: unknown option "capcity" (did you mean "capacity"?)`,
      ],
      [
        ['--realm-key', join(dir, 'none.key')],
        `meshwork: --realm-key file ${join(dir, 'none.key')} does not exist (make one with: openssl rand -hex 32 > ${join(dir, 'none.key')})`,
      ],
    ] as const) {
      const result = await run(['node', 'start', ...args])
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stderr, `${message}\n`)
    }
  })

  it('lets flags override the config file but not commander defaults (--no-mdns absent keeps the file value)', () => {
    writeFileSync(join(dir, 'quiet.json'), '{"mdns": false, "capacity": 2}')
    const config = resolveConfig({ config: join(dir, 'quiet.json'), capacity: '3' })
    assert.equal(config.node.mdns, false)
    assert.equal(config.node.capacity, 3)
  })

  it('starts the daemon, prints the ready line, serves the API, and leaves on SIGTERM', async () => {
    const fake = new FakeNode()
    const signals = new EventEmitter()
    const exited = new Promise<number>((resolve) => {
      void runDaemon(
        {
          node: { ...resolveConfig({ dataDir: join(dir, 'data') }).node },
          api: { host: '127.0.0.1', port: 0 },
          logLevel: CONFIG_DEFAULTS.logLevel,
        },
        async (options) => {
          assert.equal(options.dataDir, join(dir, 'data'))
          return fake
        },
        {
          logger: createLogger('silent'),
          lifecycle: { signals: signals as unknown as SignalSource, exit: resolve },
        },
      ).then(async (daemon) => {
        assert.equal(daemon.tokenFile, undefined)
        assert.equal(
          readyLine(daemon),
          `meshwork node ${FAKE_PEER_ID} listening on ${fake.statusValue.addresses.join(' ')}; API ${daemon.apiUrl}\n`,
        )
        assert.equal((await getStatus(daemon.apiUrl)).peerId, FAKE_PEER_ID)
        signals.emit('SIGTERM')
      })
    })
    assert.equal(await exited, 0)
    assert.equal(fake.stopCalls, 1)
  })

  it('serves the API over HTTPS with --api-cert and --api-key, and says so in the ready line', async () => {
    const certificate = makeTestCertificate(mkdtempSync(join(dir, 'tls-')))
    const fake = new FakeNode()
    const config = resolveConfig({
      dataDir: join(dir, 'tls-data'),
      api: '127.0.0.1:0',
      apiCert: certificate.certFile,
      apiKey: certificate.keyFile,
    })
    const signals = new EventEmitter()
    const daemon = await runDaemon(config, async () => fake, {
      logger: createLogger('silent'),
      lifecycle: { signals: signals as unknown as SignalSource, exit: () => {} },
    })
    try {
      assert.match(readyLine(daemon), /; API https:\/\/127\.0\.0\.1:\d+\n$/)
      const result = await run(['status', '--api', daemon.apiUrl, '--ca', certificate.certFile, '--json'])
      assert.equal(result.status, 0, result.stderr)
    } finally {
      await shutdown(daemon)
    }
  })

  it('logs the membership events of its node at info', async () => {
    const fake = new FakeNode()
    const lines: string[] = []
    const destination = { write: (line: string) => lines.push(line) }
    const daemon = await runDaemon(
      {
        node: resolveConfig({ dataDir: join(dir, 'log-data') }).node,
        api: { host: '127.0.0.1', port: 0 },
        logLevel: 'info',
      },
      async () => fake,
      {
        logger: createLogger('info', destination, 'json'),
        lifecycle: { signals: new EventEmitter() as unknown as SignalSource, exit: () => {} },
      },
    )
    try {
      fake.emit({ type: 'MemberLeft', protocol: 'membership', at: 9, id: FAKE_OTHER_PEER_ID, incarnation: 4 })
      const entry = lines.map((line) => JSON.parse(line)).find((each) => each.event !== undefined)
      assert.deepEqual([entry?.level, entry?.msg], [30, '12D3KooW…swrRJsNK left'])
    } finally {
      await shutdown(daemon)
    }
  })

  it('stops the node again when the API cannot listen', async () => {
    const fake = new FakeNode()
    const port = Number(new URL(openUrl).port)
    await assert.rejects(
      runDaemon(
        { node: resolveConfig({}).node, api: { host: '127.0.0.1', port }, logLevel: 'silent' },
        async () => fake,
        {
          logger: createLogger('silent'),
          lifecycle: { signals: new EventEmitter() as unknown as SignalSource },
        },
      ),
      /the address is in use/,
    )
    assert.equal(fake.stopCalls, 1)
  })
})
