/**
 * Every route of the control API through `app.inject` against a fake node: answers, refusals, and the
 * `{code, message}` body of every kind of bad request.
 */
import assert from 'node:assert/strict'
import type { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { ROUTES } from '../api/index.ts'
import { buildServer, type ServerOptions } from './server.ts'
import { FAKE_OTHER_PEER_ID, FakeNode } from './testing/fake-node.ts'

const TOKEN = 'a'.repeat(64)

function serve(options: ServerOptions = {}, node = new FakeNode()) {
  return { node, app: buildServer(node, { defaultMetrics: false, ...options }) }
}

/** Reads the stream until `done(text)` holds; fails after `timeoutMs` instead of hanging. */
async function readUntil(stream: Readable, done: (text: string) => boolean, timeoutMs = 2_000) {
  let text = ''
  const timer = setTimeout(() => stream.destroy(new Error(`timed out; got so far: ${text}`)), timeoutMs)
  try {
    for await (const chunk of stream) {
      text += String(chunk)
      if (done(text)) break
    }
  } finally {
    clearTimeout(timer)
  }
  return text
}

describe('control API routes', () => {
  it('GET /v1/status answers the node status', async () => {
    const { app, node } = serve()
    const response = await app.inject({ method: 'GET', url: '/v1/status' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /application\/json/)
    assert.deepEqual(response.json(), node.statusValue)
    await app.close()
  })

  it('GET /v1/members answers self and every member with state, incarnation and profile', async () => {
    const { app, node } = serve()
    const response = await app.inject({ method: 'GET', url: '/v1/members' })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), node.membersValue)
    await app.close()
  })

  it('GET /v1/events streams one data line per event and heartbeats, and ends when the server closes', async () => {
    const { app, node } = serve({ heartbeatMs: 20 })
    const response = await app.inject({ method: 'GET', url: '/v1/events', payloadAsStream: true })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/event-stream/)
    assert.equal(node.subscriberCount, 1)
    const stream = response.stream()
    node.emit({ type: 'MemberFailed', protocol: 'membership', at: 5, id: FAKE_OTHER_PEER_ID, incarnation: 2 })
    node.emit({ type: 'PartitionDetected', protocol: 'membership', at: 6, reachable: 1, known: 3 })
    const text = await readUntil(stream, (t) => t.includes('PartitionDetected') && t.includes(': heartbeat'))
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)))
    assert.deepEqual(data, [
      { type: 'MemberFailed', protocol: 'membership', at: 5, id: FAKE_OTHER_PEER_ID, incarnation: 2 },
      { type: 'PartitionDetected', protocol: 'membership', at: 6, reachable: 1, known: 3 },
    ])
    await app.close()
    assert.equal(node.subscriberCount, 0)
  })

  it('GET /v1/events refuses streams past the bound with 503 TOO_MANY_STREAMS', async () => {
    const { app } = serve({ maxEventStreams: 1 })
    const first = await app.inject({ method: 'GET', url: '/v1/events', payloadAsStream: true })
    assert.equal(first.statusCode, 200)
    const second = await app.inject({ method: 'GET', url: '/v1/events' })
    assert.equal(second.statusCode, 503)
    assert.equal(second.json().code, 'TOO_MANY_STREAMS')
    await app.close()
  })

  it('POST /v1/faults applies the spec when fault injection is allowed', async () => {
    const { app, node } = serve({ allowFaultInjection: true })
    const spec = {
      dropPeers: [FAKE_OTHER_PEER_ID],
      link: { minDelayMs: 50, maxDelayMs: 60, jitterMs: 5, lossRate: 0.1, bandwidthBytesPerSecond: 0 },
    }
    const response = await app.inject({ method: 'POST', url: '/v1/faults', payload: spec })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { ok: true })
    assert.deepEqual(node.appliedFaults, [spec])
    await app.close()
  })

  it('POST /v1/faults answers 403 FAULTS_NOT_ALLOWED when not allowed, whatever the body', async () => {
    const { app, node } = serve()
    for (const payload of [{ dropPeers: [] }, { nonsense: true }]) {
      const response = await app.inject({ method: 'POST', url: '/v1/faults', payload })
      assert.equal(response.statusCode, 403)
      assert.equal(response.json().code, 'FAULTS_NOT_ALLOWED')
      assert.match(response.json().message, /--allow-fault-injection/)
    }
    assert.deepEqual(node.appliedFaults, [])
    await app.close()
  })

  it('POST /v1/faults answers 403 when the node itself refuses fault injection', async () => {
    const { app } = serve({ allowFaultInjection: true }, new FakeNode({ allowFaultInjection: false }))
    const response = await app.inject({ method: 'POST', url: '/v1/faults', payload: { dropPeers: [] } })
    assert.equal(response.statusCode, 403)
    assert.equal(response.json().code, 'FAULTS_NOT_ALLOWED')
    await app.close()
  })

  it('GET /v1/openapi.json is an OpenAPI 3.1 document that lists every route of the table', async () => {
    const { app } = serve()
    const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' })
    assert.equal(response.statusCode, 200)
    const document = response.json()
    assert.equal(document.openapi, '3.1.0')
    assert.equal(document.info.version, '0.1.0')
    for (const [id, route] of Object.entries(ROUTES)) {
      const operation = document.paths[route.url]?.[route.method.toLowerCase()]
      assert.ok(operation, `${route.method} ${route.url} missing`)
      assert.equal(operation.operationId, id)
    }
    assert.ok(document.paths['/v1/faults'].post.requestBody)
    await app.close()
  })

  it('GET /metrics answers Prometheus text with every Meshwork metric and the event-loop lag', async () => {
    const { app } = serve({ defaultMetrics: true })
    const response = await app.inject({ method: 'GET', url: '/metrics' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    for (const name of [
      'meshwork_members{state="alive"} 2',
      'meshwork_probe_rtt_seconds_bucket',
      'meshwork_messages_total{direction="in"} 10',
      'meshwork_rejected_frames_total{reason="truncated"} 2',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(response.body.includes(name), `missing ${name}`)
    }
    await app.close()
  })
})

describe('control API refusals', () => {
  const post = (payload: string, contentType = 'application/json') =>
    ({ method: 'POST', url: '/v1/faults', payload, headers: { 'content-type': contentType } }) as const

  it('answers bad JSON with 400 INVALID_JSON', async () => {
    const { app } = serve({ allowFaultInjection: true })
    for (const payload of ['{"dropPeers": [', '']) {
      const response = await app.inject(post(payload))
      assert.equal(response.statusCode, 400, payload)
      assert.equal(response.json().code, 'INVALID_JSON')
      assert.equal(typeof response.json().message, 'string')
    }
    await app.close()
  })

  it('answers wrong types with 400 INVALID_REQUEST naming the field, without coercing', async () => {
    const { app, node } = serve({ allowFaultInjection: true })
    const cases: [unknown, RegExp][] = [
      [{ dropPeers: 'peer' }, /body\/dropPeers must be array/],
      [
        { link: { minDelayMs: '5', maxDelayMs: 5, jitterMs: 0, lossRate: 0, bandwidthBytesPerSecond: 0 } },
        /body\/link\/minDelayMs/,
      ],
      [
        { link: { minDelayMs: 5, maxDelayMs: 5, jitterMs: 0, lossRate: 2, bandwidthBytesPerSecond: 0 } },
        /lossRate must be <= 1/,
      ],
      [{ link: { minDelayMs: 5 } }, /body\/link must have required property/],
      [[1, 2], /body must be object/],
    ]
    for (const [payload, message] of cases) {
      const response = await app.inject(post(JSON.stringify(payload)))
      assert.equal(response.statusCode, 400, JSON.stringify(payload))
      assert.deepEqual(Object.keys(response.json()).sort(), ['code', 'message'])
      assert.equal(response.json().code, 'INVALID_REQUEST')
      assert.match(response.json().message, message)
    }
    assert.deepEqual(node.appliedFaults, [])
    await app.close()
  })

  it('refuses unknown fields instead of dropping them, and names them', async () => {
    const { app, node } = serve({ allowFaultInjection: true })
    const response = await app.inject(post(JSON.stringify({ dropPeer: ['x'] })))
    assert.equal(response.statusCode, 400)
    assert.deepEqual(response.json(), {
      code: 'INVALID_REQUEST',
      message: 'body has an unknown field "dropPeer"',
    })
    assert.deepEqual(node.appliedFaults, [])
    await app.close()
  })

  it('answers a body that is not JSON with 415, and one that is too large with 413', async () => {
    const { app } = serve({ allowFaultInjection: true })
    const text = await app.inject(post('dropPeers=x', 'text/plain'))
    assert.equal(text.statusCode, 415)
    assert.equal(text.json().code, 'UNSUPPORTED_MEDIA_TYPE')
    const huge = await app.inject(post(JSON.stringify({ dropPeers: ['x'.repeat(2_000_000)] })))
    assert.equal(huge.statusCode, 413)
    assert.equal(huge.json().code, 'PAYLOAD_TOO_LARGE')
    await app.close()
  })

  it('answers unknown routes with 404 NOT_FOUND', async () => {
    const { app } = serve()
    for (const [method, url] of [
      ['GET', '/v1/nope'],
      ['DELETE', '/v1/nope'],
      ['GET', '/'],
    ] as const) {
      const response = await app.inject({ method, url })
      assert.equal(response.statusCode, 404, `${method} ${url}`)
      assert.equal(response.json().code, 'NOT_FOUND')
      assert.match(response.json().message, /openapi\.json/)
    }
    await app.close()
  })

  it('answers a known path with a wrong method with 405 METHOD_NOT_ALLOWED and the methods it takes', async () => {
    const { app } = serve()
    for (const [method, url, allow] of [
      ['DELETE', '/v1/status', 'GET, HEAD'],
      ['POST', '/v1/members', 'GET, HEAD'],
      ['PUT', '/metrics', 'GET, HEAD'],
      ['GET', '/v1/faults', 'POST'],
      ['DELETE', '/v1/status?x=1', 'GET, HEAD'],
    ] as const) {
      const response = await app.inject({ method, url })
      assert.equal(response.statusCode, 405, `${method} ${url}`)
      assert.equal(response.headers.allow, allow, `${method} ${url}`)
      assert.equal(response.json().code, 'METHOD_NOT_ALLOWED')
      assert.match(response.json().message, new RegExp(`${url.split('?')[0]} takes ${allow}`))
    }
    await app.close()
  })

  it('answers HEAD wherever GET answers: the same status and headers, no body', async () => {
    const { app } = serve()
    for (const route of Object.values(ROUTES).filter((each) => each.method === 'GET')) {
      const head = await app.inject({ method: 'HEAD', url: route.url })
      assert.equal(head.statusCode, 200, route.url)
      assert.equal(head.body, '', route.url)
      assert.match(
        String(head.headers['content-type']),
        new RegExp(`^${route.response.contentType.split(';')[0]}`),
      )
    }
    await app.close()
  })

  it('answers 503 SHUTTING_DOWN once the server is closing', async () => {
    const { app } = serve()
    await app.ready()
    const closing = app.close()
    const response = await app.inject({ method: 'GET', url: '/v1/status' })
    assert.equal(response.statusCode, 503)
    assert.deepEqual(response.json(), { code: 'SHUTTING_DOWN', message: 'the node is stopping' })
    await closing
  })

  it('answers 500 INTERNAL without details when the node throws', async () => {
    const node = new FakeNode()
    node.status = () => {
      throw new Error('secret internals')
    }
    const { app } = serve({}, node)
    const response = await app.inject({ method: 'GET', url: '/v1/status' })
    assert.equal(response.statusCode, 500)
    assert.equal(response.json().code, 'INTERNAL')
    assert.doesNotMatch(response.body, /secret/)
    await app.close()
  })
})

describe('control API bearer token', () => {
  const routes = Object.values(ROUTES).filter((route) => route.method === 'GET' && route.url !== '/v1/events')

  it('answers 401 UNAUTHORIZED on every route without the token, or with a wrong one', async () => {
    const { app } = serve({ requireToken: TOKEN })
    for (const route of [...routes, { method: 'GET', url: '/v1/nope' }, ROUTES.postFaults]) {
      for (const headers of [{}, { authorization: `Bearer ${'b'.repeat(64)}` }, { authorization: TOKEN }]) {
        const response = await app.inject({ method: route.method as 'GET', url: route.url, headers })
        assert.equal(response.statusCode, 401, `${route.url} ${JSON.stringify(headers)}`)
        assert.equal(response.json().code, 'UNAUTHORIZED')
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="meshwork"')
      }
    }
    const events = await app.inject({ method: 'GET', url: '/v1/events' })
    assert.equal(events.statusCode, 401)
    await app.close()
  })

  it('accepts the right token on every route', async () => {
    const { app } = serve({ requireToken: TOKEN })
    for (const route of routes) {
      const response = await app.inject({
        method: 'GET',
        url: route.url,
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      assert.equal(response.statusCode, 200, route.url)
    }
    const events = await app.inject({
      method: 'GET',
      url: '/v1/events',
      headers: { authorization: `bearer ${TOKEN}` },
      payloadAsStream: true,
    })
    assert.equal(events.statusCode, 200)
    await app.close()
  })

  it('needs no token when built without one (loopback)', async () => {
    const { app } = serve()
    assert.equal((await app.inject({ method: 'GET', url: '/v1/status' })).statusCode, 200)
    await app.close()
  })
})

describe('control API against browsers (DNS rebinding, cross-site requests)', () => {
  it('on loopback, refuses a Host that is not a loopback name with 403 HOST_NOT_ALLOWED', async () => {
    const { app } = serve()
    for (const host of [
      'attacker.example:7070',
      'attacker.example',
      '127.0.0.1.attacker.example:7070',
      '0.0.0.0:7070',
      '[::2]:7070',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/v1/members', headers: { host } })
      assert.equal(response.statusCode, 403, host)
      assert.equal(response.json().code, 'HOST_NOT_ALLOWED', host)
      assert.doesNotMatch(response.body, /12D3KooW/, host)
    }
    const faults = await app.inject({
      method: 'POST',
      url: '/v1/faults',
      headers: { host: 'attacker.example:7070' },
      payload: { dropPeers: [] },
    })
    assert.equal(faults.statusCode, 403)
    assert.equal(faults.json().code, 'HOST_NOT_ALLOWED')
    await app.close()
  })

  it('on loopback, serves localhost, 127.0.0.0/8 and ::1 with any port', async () => {
    const { app } = serve()
    for (const host of [
      'localhost:7070',
      'LOCALHOST',
      '127.0.0.1:7070',
      '127.9.8.7',
      '[::1]:7070',
      '[::1]',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/v1/status', headers: { host } })
      assert.equal(response.statusCode, 200, host)
    }
    await app.close()
  })

  it('refuses a request from a web page of another origin with 403 ORIGIN_NOT_ALLOWED', async () => {
    for (const options of [{}, { requireToken: TOKEN, hosts: 'any' as const }]) {
      const { app, node } = serve({ allowFaultInjection: true, ...options })
      for (const origin of ['https://attacker.example', 'http://localhost:8080', 'null']) {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/faults',
          headers: { host: '127.0.0.1:7070', origin, authorization: `Bearer ${TOKEN}` },
          payload: { dropPeers: [FAKE_OTHER_PEER_ID] },
        })
        assert.equal(response.statusCode, 403, origin)
        assert.equal(response.json().code, 'ORIGIN_NOT_ALLOWED', origin)
      }
      assert.deepEqual(node.appliedFaults, [])
      await app.close()
    }
  })

  it("serves a request from the API's own origin (the dashboard the daemon will serve)", async () => {
    const { app, node } = serve({ allowFaultInjection: true })
    const response = await app.inject({
      method: 'POST',
      url: '/v1/faults',
      headers: { host: '127.0.0.1:7070', origin: 'http://127.0.0.1:7070' },
      payload: { dropPeers: [FAKE_OTHER_PEER_ID] },
    })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(node.appliedFaults, [{ dropPeers: [FAKE_OTHER_PEER_ID] }])
    await app.close()
  })

  it('off loopback, leaves Host to the token: any name of the machine is fine with the token', async () => {
    const { app } = serve({ requireToken: TOKEN, hosts: 'any' })
    const response = await app.inject({
      method: 'GET',
      url: '/v1/status',
      headers: { host: 'node7.example:7070', authorization: `Bearer ${TOKEN}` },
    })
    assert.equal(response.statusCode, 200)
    await app.close()
  })
})
