/**
 * The control API of one running node, as a Fastify app built from the route table in `api/routes.ts`.
 * Building does not listen (`listen.ts` does), so tests drive the app with `app.inject`.
 *
 * Fastify's Ajv is set to refuse rather than repair: no type coercion ("5" is not 5) and no silent removal
 * of unknown fields, so a typo in a fault spec is an error, not a no-op.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { buildOpenApiDocument, type OpenApiDocument, PROMETHEUS_CONTENT_TYPE, ROUTES } from '../api/index.ts'
import { isMeshError } from '../kernel/index.ts'
import type { FaultSpec, RunningNode } from '../node/index.ts'
import { requireBearerToken } from './auth.ts'
import { type AllowedHosts, browserGuard } from './browser-guard.ts'
import { apiError, installErrorHandlers } from './error-handler.ts'
import { registerEventStream } from './event-stream.ts'
import { lazyValidatorFactory } from './lazy-validator.ts'
import type { MetricsExporter } from './metrics.ts'
import { definition } from './route-definition.ts'
import { registerStateRoutes } from './state-routes.ts'

export interface ServerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>`; `listen.ts` sets it off loopback. */
  readonly requireToken?: string
  /**
   * Which Host names the API answers (`browser-guard.ts`): only loopback names, for an API on loopback
   * that has no token, or any. @default 'loopback'
   */
  readonly hosts?: AllowedHosts
  /** Serve HTTPS with this PEM certificate chain and key (`--api-cert`, `--api-key`). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer }
  /** Serve `POST /v1/faults`; otherwise it answers 403 FAULTS_NOT_ALLOWED. @default false */
  readonly allowFaultInjection?: boolean
  /** Request and error logs (a pino logger from `logger.ts`); none when absent. */
  readonly logger?: FastifyBaseLogger
  /** @default 15_000 */
  readonly heartbeatMs?: number
  /** @default 64 */
  readonly maxEventStreams?: number
  /** Export Node.js process metrics (event-loop lag, heap, …) at `/metrics`. @default true */
  readonly defaultMetrics?: boolean
}

export const SERVER_DEFAULTS = Object.freeze({
  // Proxies and NATs commonly drop connections idle for 30–60 s; 15 s stays well inside that.
  heartbeatMs: 15_000,
  // A dashboard, a few terminals and a test harness; more is a leak.
  maxEventStreams: 64,
  // Thousands of events; a reader this far behind should reconnect and read /v1/members.
  maxEventBufferedBytes: 1_048_576,
  // A fault spec naming 10,000 peers is about 550 KB of JSON; nothing else has a body.
  bodyLimitBytes: 1_048_576,
})

export function buildServer(node: RunningNode, options: ServerOptions = {}): FastifyInstance {
  const app = createApp(options)
  app.route({ ...definition('getStatus'), handler: async () => node.status() })
  registerStateRoutes(app, node)
  app.route({
    ...definition('getMembers'),
    handler: async (_request, reply) => {
      const members = node.view('members')
      if (members === undefined) {
        return reply.code(404).send(apiError('NOT_FOUND', 'this node runs no membership module'))
      }
      return members
    },
  })
  registerEventStream(app, node, {
    heartbeatMs: options.heartbeatMs ?? SERVER_DEFAULTS.heartbeatMs,
    maxStreams: options.maxEventStreams ?? SERVER_DEFAULTS.maxEventStreams,
    maxBufferedBytes: SERVER_DEFAULTS.maxEventBufferedBytes,
  })
  // HEAD of the stream answers its headers and ends, instead of holding a connection open for nothing.
  app.head(ROUTES.streamEvents.url, async (_request, reply) =>
    reply.type(ROUTES.streamEvents.response.contentType).header('cache-control', 'no-cache').send(),
  )
  registerFaults(app, node, options.allowFaultInjection ?? false)
  let openApi: OpenApiDocument | undefined
  app.route({
    ...definition('getOpenApi'),
    handler: async () => {
      openApi ??= buildOpenApiDocument(node.status().version)
      return openApi
    },
  })
  // prom-client (and the OpenTelemetry API it pulls in, ~80 modules) loads on the first scrape, and so
  // does its event-loop monitor, which wakes an idle node 20 times a second: a node nobody scrapes pays
  // for neither. Counters are cumulative in the node, so the first scrape still reports every total.
  let metrics: Promise<MetricsExporter> | undefined
  app.route({
    ...definition('getMetrics'),
    handler: async (_request, reply) => {
      metrics ??= import('./metrics.ts').then(({ createMetrics }) =>
        createMetrics(node, { defaultMetrics: options.defaultMetrics ?? true }),
      )
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(await (await metrics).render())
    },
  })
  return app
}

/** Fastify configured to refuse rather than repair, with the hooks every route shares. */
function createApp(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    ...(options.tls === undefined ? {} : { https: { cert: options.tls.cert, key: options.tls.key } }),
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    // One debug line per request (below) instead of two info lines: Prometheus scrapes would fill the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: SERVER_DEFAULTS.bodyLimitBytes,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    // the same Ajv with the same options, compiling each schema on its first request (lazy-validator.ts)
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory() } },
    // Refused below with our own `{code, message}` body rather than Fastify's.
    return503OnClosing: false,
    // HEAD routes are added per route (`definition`), so that the event stream gets its own.
    exposeHeadRoutes: false,
  }) as unknown as FastifyInstance
  installErrorHandlers(app)
  // Fastify reads text/plain bodies as strings by default; every body here is JSON, anything else is 415.
  app.removeContentTypeParser('text/plain')
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) return reply.code(503).send(apiError('SHUTTING_DOWN', 'the node is stopping'))
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode }, 'api request')
  })
  // Before the token: a web page is refused whether or not it could guess one.
  app.addHook('onRequest', browserGuard(options.hosts ?? 'loopback'))
  if (options.requireToken !== undefined) app.addHook('onRequest', requireBearerToken(options.requireToken))
  return app
}

function registerFaults(app: FastifyInstance, node: RunningNode, allowed: boolean): void {
  const refused = apiError(
    'FAULTS_NOT_ALLOWED',
    'fault injection is off on this node; start it with --allow-fault-injection (for tests only)',
  )
  app.route({
    ...definition('postFaults'),
    // Refused before validation: a node without fault injection says so whatever the body.
    preValidation: async (_request, reply) => {
      if (!allowed) return reply.code(403).send(refused)
    },
    handler: async (request, reply) => {
      try {
        node.applyFaults(request.body as FaultSpec)
      } catch (error) {
        if (isMeshError(error) && error.code === 'UNAVAILABLE') return reply.code(403).send(refused)
        if (isMeshError(error) && error.code === 'INVALID_ARGUMENT') {
          return reply.code(400).send(apiError('INVALID_REQUEST', error.message))
        }
        throw error
      }
      return { ok: true }
    },
  })
}
