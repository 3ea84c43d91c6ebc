/**
 * The API client against a real server on 127.0.0.1 (a port the OS picks) serving a fake node: typed
 * answers, refusals as `ApiError`, the event stream, and the failures that have no answer at all.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import {
  ApiError,
  getMembers,
  getStatus,
  isApiError,
  type NodeEvent,
  postFaults,
  streamEvents,
} from '../src/api/index.ts'
import { buildServer, listenApi, shutdown } from '../src/daemon/index.ts'
import { FAKE_OTHER_PEER_ID, FakeNode } from '../src/daemon/testing/fake-node.ts'
import { makeTestCertificate } from '../src/daemon/testing/test-certificate.ts'

const TOKEN = 'c'.repeat(64)
const node = new FakeNode()
const open = buildServer(node, { allowFaultInjection: true, defaultMetrics: false })
const guarded = buildServer(new FakeNode(), { requireToken: TOKEN, defaultMetrics: false })
const closed = buildServer(new FakeNode(), { defaultMetrics: false })
let openUrl = ''
let guardedUrl = ''
let closedUrl = ''
let silent: Server | undefined
let silentUrl = ''
let html: Server | undefined
let htmlUrl = ''

async function listenRaw(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function rejectsWith(promise: Promise<unknown>, code: string, status: number, message?: RegExp) {
  await assert.rejects(promise, (error) => {
    assert.ok(isApiError(error), String(error))
    assert.equal(error.code, code)
    assert.equal(error.status, status)
    if (message !== undefined) assert.match(error.message, message)
    return true
  })
}

before(async () => {
  openUrl = await listenApi(open, { host: '127.0.0.1', port: 0 })
  guardedUrl = await listenApi(guarded, { host: '127.0.0.1', port: 0 })
  closedUrl = await listenApi(closed, { host: '127.0.0.1', port: 0 })
  await closed.close()
  silent = createServer(() => {})
  silentUrl = await listenRaw(silent)
  html = createServer((_request, response) =>
    response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>no</h1>'),
  )
  htmlUrl = await listenRaw(html)
})

after(async () => {
  await shutdown({ app: open, node })
  await guarded.close()
  silent?.closeAllConnections()
  await new Promise((resolve) => silent?.close(resolve))
  await new Promise((resolve) => html?.close(resolve))
})

describe('API client against a listening server', { timeout: 20_000 }, () => {
  it('reads the status and the members as the node gave them', async () => {
    assert.deepEqual(await getStatus(openUrl), node.statusValue)
    assert.deepEqual(await getMembers(`${openUrl}/`), node.membersValue)
  })

  it('posts faults, and turns a refusal into an ApiError with the server code and message', async () => {
    assert.deepEqual(await postFaults(openUrl, { dropPeers: [FAKE_OTHER_PEER_ID] }), { ok: true })
    assert.deepEqual(node.appliedFaults.at(-1), { dropPeers: [FAKE_OTHER_PEER_ID] })
    const refusing = buildServer(new FakeNode(), { defaultMetrics: false })
    const url = await listenApi(refusing, { host: '127.0.0.1', port: 0 })
    try {
      await rejectsWith(
        postFaults(url, { dropPeers: [] }),
        'FAULTS_NOT_ALLOWED',
        403,
        /--allow-fault-injection/,
      )
    } finally {
      await refusing.close()
    }
  })

  it('sends the bearer token, and reports a missing one as UNAUTHORIZED', async () => {
    await rejectsWith(getStatus(guardedUrl), 'UNAUTHORIZED', 401, /bearer token/)
    await rejectsWith(getStatus(guardedUrl, 'wrong'), 'UNAUTHORIZED', 401)
    assert.equal((await getStatus(guardedUrl, TOKEN)).peerId, node.peerId)
  })

  it('streams membership events until the caller stops, and the server then drops the subscription', async () => {
    const events: NodeEvent[] = []
    const sent: NodeEvent[] = [
      {
        type: 'MemberSuspected',
        protocol: 'membership',
        at: 1,
        id: FAKE_OTHER_PEER_ID,
        incarnation: 1,
        from: node.peerId,
      },
      { type: 'MemberAlive', protocol: 'membership', at: 2, id: FAKE_OTHER_PEER_ID, incarnation: 2 },
    ]
    const stream = streamEvents(openUrl)
    const first = stream.next()
    // The subscription exists once the server has answered; wait for it (bounded by the suite timeout).
    while (node.subscriberCount === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    for (const event of sent) node.emit(event)
    const one = await first
    if (!one.done) events.push(one.value)
    for await (const event of stream) {
      events.push(event)
      if (events.length === sent.length) break
    }
    assert.deepEqual(events, sent)
    while (node.subscriberCount > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  })

  it('ends the event stream quietly when the caller aborts', async () => {
    const controller = new AbortController()
    const seen: NodeEvent[] = []
    const reading = (async () => {
      for await (const event of streamEvents(openUrl, undefined, { signal: controller.signal }))
        seen.push(event)
    })()
    while (node.subscriberCount === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    await reading
    assert.deepEqual(seen, [])
  })
})

describe('API client failures without an answer', { timeout: 20_000 }, () => {
  it('says the node cannot be reached, and how to start one', async () => {
    await assert.rejects(getStatus(closedUrl), (error) => {
      assert.ok(error instanceof ApiError)
      assert.deepEqual(error.toJSON(), {
        code: 'UNREACHABLE',
        status: 0,
        message: `cannot reach the node's API at ${closedUrl} (is it running? start one with: meshwork node start)`,
      })
      return true
    })
    await rejectsWith(streamEvents(closedUrl).next(), 'UNREACHABLE', 0)
  })

  it('gives up after the timeout when the server never answers', async () => {
    await rejectsWith(
      getMembers(silentUrl, undefined, { timeoutMs: 200 }),
      'TIMEOUT',
      0,
      /did not answer within 0\.2 s/,
    )
  })

  it('says so when something other than a node answers', async () => {
    await rejectsWith(
      getStatus(htmlUrl),
      'BAD_RESPONSE',
      404,
      /without an error body \(is another program listening there\?\)/,
    )
  })
})

describe('API client over HTTPS', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshwork-api-tls-'))
  const certificate = makeTestCertificate(dir)
  const secure = buildServer(new FakeNode(), { tls: certificate, defaultMetrics: false })
  let secureUrl = ''

  before(async () => {
    secureUrl = await listenApi(secure, { host: '127.0.0.1', port: 0 }, 'https')
  })

  after(async () => {
    await secure.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('says that a certificate is not trusted, and how to trust it', async () => {
    assert.match(secureUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
    await rejectsWith(
      getStatus(secureUrl),
      'UNTRUSTED_CERTIFICATE',
      0,
      /presents a certificate this machine does not trust \(self-signed certificate\); pass the certificate that signs it with --ca FILE/,
    )
  })

  it('says to use https:// when the node serves HTTPS, and http:// when it does not', async () => {
    await rejectsWith(
      getStatus(secureUrl.replace('https:', 'http:')),
      'UNREACHABLE',
      0,
      /does it serve HTTPS\? then use https:\/\//,
    )
    await rejectsWith(
      getStatus(openUrl.replace('http:', 'https:')),
      'UNREACHABLE',
      0,
      /does not speak TLS; use http:\/\//,
    )
  })

  it('reads the status over HTTPS once the certificate is trusted', async () => {
    setDefaultCACertificates([...getCACertificates('default'), certificate.cert])
    assert.equal((await getStatus(secureUrl)).peerId, node.peerId)
  })
})
