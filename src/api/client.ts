/**
 * A small typed client of the control API, built on `fetch` and the route table, used by the CLI (and
 * usable from scripts). Every failure becomes one `ApiError` whose message can be shown as it is: the
 * server's `{code, message}` when it answered, or a sentence saying that it could not be reached and what
 * to do about it.
 */
import { ApiError, isApiErrorBody } from './errors.ts'
import { type Endpoints, ROUTES, type RouteId } from './routes.ts'
import { SseParser } from './sse.ts'
import type { FaultSpec, MembersView, NodeEvent, NodeStatus } from './types.ts'

export const DEFAULT_API_URL = 'http://127.0.0.1:7070'

/** Long enough for a node under load, short enough that a wedged one does not hang the CLI. */
export const DEFAULT_TIMEOUT_MS = 10_000

export interface RequestOptions {
  /** Time to wait for the answer (for `streamEvents`, for the stream to open). @default 10_000 */
  readonly timeoutMs?: number
  /** Cancels the request; a cancelled event stream simply ends. */
  readonly signal?: AbortSignal
}

export function getStatus(baseUrl: string, token?: string, options?: RequestOptions): Promise<NodeStatus> {
  return requestJson('getStatus', baseUrl, token, undefined, options)
}

export function getMembers(baseUrl: string, token?: string, options?: RequestOptions): Promise<MembersView> {
  return requestJson('getMembers', baseUrl, token, undefined, options)
}

export function postFaults(
  baseUrl: string,
  faults: FaultSpec,
  token?: string,
  options?: RequestOptions,
): Promise<Endpoints['postFaults']['response']> {
  return requestJson('postFaults', baseUrl, token, faults, options)
}

/** Node events as they happen, until the server ends the stream or `options.signal` aborts. */
export async function* streamEvents(
  baseUrl: string,
  token?: string,
  options: RequestOptions = {},
): AsyncGenerator<NodeEvent, void, undefined> {
  const deadline = new Deadline(options)
  try {
    let response: Response
    try {
      response = await send('streamEvents', baseUrl, token, undefined, deadline)
    } catch (error) {
      if (options.signal?.aborted) return
      throw error
    }
    if (!response.ok) throw await errorOf(response, baseUrl)
    deadline.clearTimer()
    if (response.body === null)
      throw new ApiError('BAD_RESPONSE', response.status, 'event stream without a body')
    const parser = new SseParser()
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body) {
        for (const data of parser.push(decoder.decode(chunk, { stream: true }))) {
          yield parseJson(data, baseUrl, response.status) as NodeEvent
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return
      if (error instanceof RangeError) throw new ApiError('BAD_RESPONSE', response.status, error.message)
      throw new ApiError('UNREACHABLE', 0, `lost the event stream from ${baseUrl}: ${describe(error)}`)
    }
  } finally {
    deadline.release()
  }
}

async function requestJson<Id extends RouteId>(
  id: Id,
  baseUrl: string,
  token: string | undefined,
  body: Endpoints[Id]['body'],
  options: RequestOptions = {},
): Promise<Endpoints[Id]['response']> {
  const deadline = new Deadline(options)
  try {
    const response = await send(id, baseUrl, token, body, deadline)
    if (!response.ok) throw await errorOf(response, baseUrl)
    const text = await deadline.guard(baseUrl, () => response.text())
    return parseJson(text, baseUrl, response.status) as Endpoints[Id]['response']
  } finally {
    deadline.release()
  }
}

async function send(
  id: RouteId,
  baseUrl: string,
  token: string | undefined,
  body: unknown,
  deadline: Deadline,
): Promise<Response> {
  const route = ROUTES[id]
  const headers: Record<string, string> = {
    accept: route.response.contentType === 'text/event-stream' ? 'text/event-stream' : 'application/json',
  }
  // An empty token (an empty $MESHWORK_API_TOKEN) is no token.
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const init: RequestInit = { method: route.method, headers, signal: deadline.signal }
  if (body !== undefined) init.body = JSON.stringify(body)
  return deadline.guard(baseUrl, () => fetch(`${baseUrl.replace(/\/+$/, '')}${route.url}`, init))
}

async function errorOf(response: Response, baseUrl: string): Promise<ApiError> {
  let body: unknown
  try {
    body = JSON.parse(await response.text())
  } catch {
    body = undefined
  }
  if (isApiErrorBody(body)) return new ApiError(body.code, response.status, body.message)
  return new ApiError(
    'BAD_RESPONSE',
    response.status,
    `the node's API at ${baseUrl} answered ${response.status} ${response.statusText} without an error body (is another program listening there?)`,
  )
}

function parseJson(text: string, baseUrl: string, status: number): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError(
      'BAD_RESPONSE',
      status,
      `the node's API at ${baseUrl} answered with something that is not JSON (is another program listening there?)`,
    )
  }
}

/** The timeout and the caller's signal as one signal, and the translation of network failures. */
class Deadline {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly timeoutMs: number
  private readonly timer: ReturnType<typeof setTimeout>
  private readonly callerSignal: AbortSignal | undefined
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal?.reason)
  private timedOut = false

  constructor(options: RequestOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.callerSignal = options.signal
    this.signal = this.controller.signal
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort()
    }, this.timeoutMs)
    if (this.callerSignal?.aborted) this.onCallerAbort()
    else this.callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true })
  }

  async guard<T>(baseUrl: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (this.timedOut) {
        throw new ApiError(
          'TIMEOUT',
          0,
          `the node's API at ${baseUrl} did not answer within ${this.timeoutMs / 1000} s`,
        )
      }
      if (this.callerSignal?.aborted) throw error
      throw unreachable(baseUrl, error)
    }
  }

  clearTimer(): void {
    clearTimeout(this.timer)
  }

  release(): void {
    clearTimeout(this.timer)
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort)
    this.controller.abort()
  }
}

/** Certificate checks that fail for a certificate this machine does not trust (OpenSSL's codes). */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * Why a request got no answer. Node's fetch puts the socket's or TLS's error in `cause`; a browser's
 * says nothing, and gets the general sentence.
 */
function unreachable(baseUrl: string, error: unknown): ApiError {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  const detail = typeof cause?.message === 'string' ? cause.message.split(';', 1)[0] : undefined
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new ApiError(
      'UNTRUSTED_CERTIFICATE',
      0,
      `the node's API at ${baseUrl} presents a certificate this machine does not trust (${detail ?? code}); pass the certificate that signs it with --ca FILE`,
    )
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new ApiError('UNREACHABLE', 0, `the node's API at ${baseUrl} does not speak TLS; use http://`)
  }
  if (code === 'UND_ERR_SOCKET' && baseUrl.startsWith('http:')) {
    // A TLS server drops a plain HTTP request without a word.
    return new ApiError(
      'UNREACHABLE',
      0,
      `the node's API at ${baseUrl} closed the connection without answering (does it serve HTTPS? then use https://)`,
    )
  }
  return new ApiError(
    'UNREACHABLE',
    0,
    `cannot reach the node's API at ${baseUrl} (is it running? start one with: meshwork node start)`,
  )
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
