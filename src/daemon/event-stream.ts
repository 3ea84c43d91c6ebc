/**
 * `GET /v1/events`: membership events as server-sent events. Each subscriber is bounded twice: the
 * number of open streams (a client that leaks connections cannot exhaust the node), and the bytes waiting
 * in one stream's socket buffer (a reader that stopped reading is disconnected, not buffered for; it can
 * reconnect and read `/v1/members` to catch up). Streams end when the server closes.
 */
import type { FastifyInstance } from 'fastify'
import { formatSseData, ROUTES, SSE_HEARTBEAT } from '../api/index.ts'
import type { RunningNode } from '../node/index.ts'
import { apiError } from './error-handler.ts'

export interface EventStreamOptions {
  /** Interval of the `: heartbeat` comment that keeps idle connections open through proxies. */
  readonly heartbeatMs: number
  readonly maxStreams: number
  /** A stream whose unsent bytes exceed this is closed. */
  readonly maxBufferedBytes: number
}

export function registerEventStream(
  app: FastifyInstance,
  node: Pick<RunningNode, 'subscribe'>,
  options: EventStreamOptions,
): void {
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })
  const route = ROUTES.streamEvents
  app.route({
    method: route.method,
    url: route.url,
    handler(request, reply) {
      if (open.size >= options.maxStreams) {
        return reply
          .code(503)
          .send(
            apiError(
              'TOO_MANY_STREAMS',
              `this node serves at most ${options.maxStreams} event streams at once; close one and retry`,
            ),
          )
      }
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        // The connection ends with the stream: a socket kept alive after it would hold up server close.
        connection: 'close',
        // nginx buffers responses unless told not to; events would arrive in bursts.
        'x-accel-buffering': 'no',
      })
      let ended = false
      let heartbeat: ReturnType<typeof setInterval> | undefined
      let unsubscribe: (() => void) | undefined
      const end = (): void => {
        if (ended) return
        ended = true
        clearInterval(heartbeat)
        unsubscribe?.()
        open.delete(end)
        raw.end()
      }
      const send = (text: string): void => {
        if (ended) return
        if (raw.writableLength > options.maxBufferedBytes) {
          request.log.warn({ bufferedBytes: raw.writableLength }, 'event stream reader too slow; closing it')
          end()
          return
        }
        raw.write(text)
      }
      open.add(end)
      raw.on('close', end)
      // A first comment flushes the headers, so the client knows at once that the stream is open.
      raw.write(': connected\n\n')
      unsubscribe = node.subscribe((event) => send(formatSseData(event)))
      // The node may emit during `subscribe`, and a burst may already have closed the stream.
      if (ended) unsubscribe()
      else heartbeat = setInterval(() => send(SSE_HEARTBEAT), options.heartbeatMs)
      return reply
    },
  })
}
