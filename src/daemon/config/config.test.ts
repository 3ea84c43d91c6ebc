/**
 * Configuration from flags and files: defaults, precedence, and messages that say what is wrong, how to
 * fix it, and (for a misspelt option) which option was probably meant.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isMeshError } from '../../kernel/index.ts'
import { resolveConfig } from './config.ts'
import { CONFIG_DEFAULTS } from './config-options.ts'
import { editDistance, suggestName } from './suggest.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshwork-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const KEY_HEX = '0123456789abcdef'.repeat(4)

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

function refusal(flags: Record<string, unknown>): { code: string; message: string } {
  try {
    resolveConfig(flags, dir)
  } catch (error) {
    assert.ok(isMeshError(error), String(error))
    return { code: error.code, message: error.message }
  }
  assert.fail(`accepted ${JSON.stringify(flags)}`)
}

describe('daemon config', () => {
  it('has the documented defaults when nothing is given', () => {
    const config = resolveConfig({}, dir)
    assert.deepEqual(config.node, {
      realm: 'default',
      seeds: [],
      listen: ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/udp/0/quic-v1'],
      connectionClass: 'lan',
      labels: [],
      capacity: 1,
      memoryMb: 0,
      region: '',
      hidden: false,
      dataDir: join(homedir(), '.meshwork', 'default'),
      mdns: true,
      dht: true,
      nat: true,
      relay: false,
      maxConnections: 300,
      allowPeers: [],
      allowFaultInjection: false,
    })
    assert.deepEqual(config.api, { host: '127.0.0.1', port: 7070 })
    assert.equal(config.logLevel, 'info')
    assert.equal(config.node.realmKey, undefined)
  })

  it('reads flags as text: lists split on commas, numbers parsed, data dir follows the realm', () => {
    const config = resolveConfig(
      {
        realm: 'lab',
        seeds: '/ip4/192.0.2.7/tcp/4001, /dns4/seed.example/udp/4001/quic-v1',
        labels: 'gpu,linux',
        capacity: '8',
        memoryMb: '16384',
        region: 'eu-west',
        hidden: true,
        mdns: false,
        api: '[::1]:7071',
        logLevel: 'debug',
        allowPeers: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
      },
      dir,
    )
    assert.deepEqual(config.node.seeds, ['/ip4/192.0.2.7/tcp/4001', '/dns4/seed.example/udp/4001/quic-v1'])
    assert.deepEqual(config.node.labels, ['gpu', 'linux'])
    assert.equal(config.node.capacity, 8)
    assert.equal(config.node.memoryMb, 16_384)
    assert.equal(config.node.hidden, true)
    assert.equal(config.node.mdns, false)
    assert.equal(config.node.dataDir, join(homedir(), '.meshwork', 'lab'))
    assert.deepEqual(config.api, { host: '::1', port: 7071 })
    assert.equal(config.logLevel, 'debug')
  })

  it('reads the realm key file: 64 hex characters become 32 bytes', () => {
    const config = resolveConfig({ realmKey: file('realm.key', `${KEY_HEX}\n`) }, dir)
    assert.deepEqual(config.node.realmKey, Uint8Array.from(Buffer.from(KEY_HEX, 'hex')))
  })

  it('takes a config file, with flags overriding it and paths relative to the file', () => {
    file('file.key', KEY_HEX)
    const path = file(
      'node.json',
      JSON.stringify({
        realm: 'lab',
        capacity: 4,
        labels: ['a'],
        realmKey: 'file.key',
        dataDir: 'state',
        mdns: false,
      }),
    )
    const config = resolveConfig({ config: path, capacity: '6' }, '/')
    assert.equal(config.node.realm, 'lab')
    assert.equal(config.node.capacity, 6)
    assert.deepEqual(config.node.labels, ['a'])
    assert.equal(config.node.dataDir, join(dir, 'state'))
    assert.equal(config.node.mdns, false)
    assert.equal(config.node.realmKey?.length, 32)
  })

  it('refuses bad flags with one line naming the flag, the rule and the value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ capacity: 'x' }, "--capacity must be a non-negative integer, got 'x'"],
      [{ capacity: '-1' }, "--capacity must be a non-negative integer, got '-1'"],
      [{ capacity: '2000000' }, "--capacity must be an integer from 0 to 1000000, got '2000000'"],
      [{ memoryMb: '1.5' }, "--memory-mb must be a non-negative integer, got '1.5'"],
      [
        { connectionClass: 'lunar' },
        "--connection-class must be one of lan, wan, mobile, hostile, got 'lunar'",
      ],
      [{ api: 'localhost' }, "--api must be HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070, got 'localhost'"],
      [
        { api: '127.0.0.1:99999' },
        "--api must be HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070, got '127.0.0.1:99999'",
      ],
      [
        { realm: '../etc' },
        "--realm must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, got '../etc'",
      ],
      [
        { logLevel: 'loud' },
        "--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
      ],
    ]
    for (const [flags, message] of cases) {
      assert.deepEqual(refusal(flags), { code: 'INVALID_ARGUMENT', message })
    }
    assert.match(
      refusal({ seeds: '192.0.2.7:4001' }).message,
      /^--seeds must be a multiaddr like \/ip4\/192\.0\.2\.7\/tcp\/4001 .*got '192\.0\.2\.7:4001' \(string multiaddr must start with "\/"\)$/,
    )
    assert.match(
      refusal({ allowPeers: 'alice' }).message,
      /^--allow-peers must be a peer id like 12D3KooW\w+, got 'alice'$/,
    )
    assert.match(
      refusal({ labels: 'x'.repeat(65) }).message,
      /^--labels must be a label without spaces or commas, at most 64 bytes/,
    )
  })

  it('refuses a realm key file that is missing or not 64 hex characters, saying how to make one', () => {
    assert.match(
      refusal({ realmKey: join(dir, 'absent.key') }).message,
      /^--realm-key file .*absent\.key does not exist \(make one with: openssl rand -hex 32 > /,
    )
    assert.match(
      refusal({ realmKey: file('short.key', 'abcd') }).message,
      /^--realm-key file .*short\.key must contain exactly 64 hex characters \(32 bytes\), found 4 \(make one with/,
    )
    assert.match(
      refusal({ realmKey: file('text.key', 'not a key at all') }).message,
      /must contain only hex characters/,
    )
  })

  it('refuses an unknown option in a config file, suggesting the one probably meant', () => {
    const path = file('typo.json', '{"capcity": 4}')
    assert.deepEqual(refusal({ config: path }), {
      code: 'INVALID_CONFIG',
      message: `config file ${path}: unknown option "capcity" (did you mean "capacity"?)`,
    })
    assert.match(
      refusal({ config: file('kebab.json', '{"memory-mb": 4}') }).message,
      /did you mean "memoryMb"\?/,
    )
    assert.match(
      refusal({ config: file('far.json', '{"colour": "blue"}') }).message,
      /unknown option "colour" \(the options are realm, realmKey, seeds,/,
    )
  })

  it('refuses config files that are missing, not JSON, not an object, or hold wrong types', () => {
    assert.match(
      refusal({ config: join(dir, 'none.json') }).message,
      /^config file .*none\.json does not exist; check the path given to --config$/,
    )
    assert.match(
      refusal({ config: file('bad.json', '{"realm": ') }).message,
      /^config file .*bad\.json is not valid JSON: /,
    )
    assert.match(
      refusal({ config: file('array.json', '[]') }).message,
      /must hold one JSON object of options/,
    )
    const wrong = file('wrong.json', '{"capacity": "4"}')
    assert.deepEqual(refusal({ config: wrong }), {
      code: 'INVALID_CONFIG',
      message: `config file ${wrong}: capacity must be a non-negative integer, got "4"`,
    })
    const seeds = file('seeds.json', '{"seeds": ["/ip4/192.0.2.7/tcp/4001", "nope"]}')
    assert.match(
      refusal({ config: seeds }).message,
      /: seeds\[1\] must be a multiaddr like .*, got "nope" \(.*\)$/,
    )
    assert.match(
      refusal({ config: file('hidden.json', '{"hidden": "yes"}') }).message,
      /hidden must be true or false, got "yes"$/,
    )
  })

  it('keeps its defaults frozen', () => {
    assert.ok(Object.isFrozen(CONFIG_DEFAULTS))
  })
})

describe('option name suggestions', () => {
  it('suggests the nearest known name only when it is near', () => {
    const known = ['capacity', 'memoryMb', 'region', 'realm']
    assert.equal(suggestName('capcity', known), 'capacity')
    assert.equal(suggestName('memory_mb', known), 'memoryMb')
    assert.equal(suggestName('Region', known), 'region')
    assert.equal(suggestName('colour', known), undefined)
  })

  it('measures edit distance as Levenshtein does', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('same', 'same'), 0)
  })

  it('off loopback, demands TLS (--api-cert and --api-key) or an explicit --api-insecure', () => {
    const offLoopback =
      '--api 0.0.0.0:7070 is reachable from other machines: give it a certificate with --api-cert FILE --api-key FILE, or accept plain HTTP with --api-insecure (the bearer token then crosses the network readable)'
    assert.deepEqual(refusal({ api: '0.0.0.0:7070' }), { code: 'INVALID_ARGUMENT', message: offLoopback })
    const insecure = resolveConfig({ api: '0.0.0.0:7070', apiInsecure: true }, dir)
    assert.equal(insecure.tls, undefined)
    const cert = file('cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    const key = file('key.pem', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n')
    const secure = resolveConfig({ api: '0.0.0.0:7070', apiCert: cert, apiKey: key }, dir)
    assert.match(String(secure.tls?.cert), /BEGIN CERTIFICATE/)
    assert.match(String(secure.tls?.key), /BEGIN PRIVATE KEY/)
    // loopback needs neither, and may have TLS all the same
    assert.equal(resolveConfig({}, dir).tls, undefined)
    assert.match(String(resolveConfig({ apiCert: cert, apiKey: key }, dir).tls?.cert), /BEGIN/)
  })

  it('refuses a certificate without its key, and files that are not PEM', () => {
    const cert = file('only-cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    assert.deepEqual(refusal({ apiCert: cert }), {
      code: 'INVALID_ARGUMENT',
      message: '--api-cert and --api-key go together: give both, or neither',
    })
    const notPem = file('not.pem', 'hello')
    assert.deepEqual(refusal({ apiCert: notPem, apiKey: notPem }), {
      code: 'INVALID_ARGUMENT',
      message: `--api-cert file ${notPem} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    })
    assert.deepEqual(refusal({ apiCert: cert, apiKey: join(dir, 'none.pem') }), {
      code: 'INVALID_ARGUMENT',
      message: `--api-key file ${join(dir, 'none.pem')} does not exist`,
    })
  })

  it('refuses an empty --listen (a node nobody can reach) and an empty --data-dir', () => {
    assert.deepEqual(refusal({ listen: '' }), {
      code: 'INVALID_ARGUMENT',
      message: "--listen must be at least one multiaddr, e.g. /ip4/0.0.0.0/tcp/4001, got ''",
    })
    assert.deepEqual(refusal({ listen: ' , ' }).code, 'INVALID_ARGUMENT')
    assert.deepEqual(refusal({ dataDir: '' }), {
      code: 'INVALID_ARGUMENT',
      message: "--data-dir must be a directory path, got ''",
    })
    // no seeds is fine: the first node of a realm has none
    assert.deepEqual(resolveConfig({ seeds: '' }, dir).node.seeds, [])
  })
})
