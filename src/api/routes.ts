/**
 * The control API, defined once (after Lodestar's `packages/api/src/keymanager/routes.ts`): one table says
 * each route's method, path and schemas, and `Endpoints` says its TypeScript types. The daemon registers
 * its handlers from the table, the client builds its requests from it, and `openapi.ts` documents it, so
 * the three cannot drift apart.
 */
import {
  FAULT_SPEC_SCHEMA,
  FAULTS_APPLIED_SCHEMA,
  type JsonSchema,
  MEMBERS_SCHEMA,
  NODE_EVENT_SCHEMA,
  STATE_CREATE_SCHEMA,
  STATE_OK_SCHEMA,
  STATE_OPERATION_SCHEMA,
  STATE_READING_SCHEMA,
  STATUS_SCHEMA,
} from './schemas.ts'
import type {
  FaultSpec,
  FaultsApplied,
  MembersView,
  NodeEvent,
  NodeStatus,
  StateCreate,
  StateOk,
  StateOperation,
  StateReading,
} from './types.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT'

/** Prometheus' text exposition format, version 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type ContentType = 'application/json' | 'text/event-stream' | typeof PROMETHEUS_CONTENT_TYPE

export interface RouteDefinition {
  readonly method: HttpMethod
  readonly url: string
  readonly summary: string
  /** JSON request body, validated before the handler runs; unknown fields are refused. */
  readonly body?: JsonSchema
  readonly response: { readonly contentType: ContentType; readonly schema: JsonSchema }
  /** Error statuses particular to this route, with what they mean; `COMMON_ERRORS` apply to all. */
  readonly errors: Readonly<Record<number, string>>
}

/** Errors any route may answer, always as `{code, message}`. */
export const COMMON_ERRORS: Readonly<Record<number, string>> = {
  401: 'UNAUTHORIZED: the API listens off loopback and the bearer token is missing or wrong',
  403: 'HOST_NOT_ALLOWED or ORIGIN_NOT_ALLOWED: a request addressed to a name that is not loopback (on loopback), or from a web page of another origin',
  405: 'METHOD_NOT_ALLOWED: the path takes other methods, listed in the Allow header',
  500: 'INTERNAL: the node failed to answer; its log says why',
  503: 'SHUTTING_DOWN: the node is stopping',
}

const BAD_BODY = {
  400: 'INVALID_JSON or INVALID_REQUEST: the body is not JSON or does not match the schema',
  413: 'PAYLOAD_TOO_LARGE: the body is over the limit',
  415: 'UNSUPPORTED_MEDIA_TYPE: send application/json',
} as const

/** What the OpenAPI route answers; see `openapi.ts`. */
export interface OpenApiDocument {
  readonly openapi: string
  readonly info: { readonly title: string; readonly version: string; readonly description?: string }
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly components: Readonly<Record<string, unknown>>
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[]
}

interface Endpoint<Body, Response> {
  readonly body: Body
  readonly response: Response
}

/** The types of each route. For the event stream, `response` is the type of one event. */
export interface Endpoints {
  readonly getStatus: Endpoint<undefined, NodeStatus>
  readonly getMembers: Endpoint<undefined, MembersView>
  readonly streamEvents: Endpoint<undefined, NodeEvent>
  readonly postFaults: Endpoint<FaultSpec, FaultsApplied>
  readonly getOpenApi: Endpoint<undefined, OpenApiDocument>
  readonly getMetrics: Endpoint<undefined, string>
  readonly putState: Endpoint<StateCreate, StateOk>
  readonly postState: Endpoint<StateOperation, StateOk>
  readonly getState: Endpoint<undefined, StateReading>
}

export type RouteId = keyof Endpoints

export const ROUTES: { readonly [Id in RouteId]: RouteDefinition } = {
  getStatus: {
    method: 'GET',
    url: '/v1/status',
    summary: "The node's identity, state and member counts",
    response: { contentType: 'application/json', schema: STATUS_SCHEMA },
    errors: {},
  },
  getMembers: {
    method: 'GET',
    url: '/v1/members',
    summary: 'Every member this node knows, with its state, incarnation and profile',
    response: { contentType: 'application/json', schema: MEMBERS_SCHEMA },
    errors: {},
  },
  streamEvents: {
    method: 'GET',
    url: '/v1/events',
    summary:
      'Node events (membership today) as server-sent events: one `data:` line of JSON per event, a `: heartbeat` comment every 15 s',
    response: { contentType: 'text/event-stream', schema: NODE_EVENT_SCHEMA },
    errors: { 503: 'TOO_MANY_STREAMS: the node serves a bounded number of event streams at once' },
  },
  postFaults: {
    method: 'POST',
    url: '/v1/faults',
    summary:
      'Drop or shape traffic (testing only); refused unless the node runs with --allow-fault-injection',
    body: FAULT_SPEC_SCHEMA,
    response: { contentType: 'application/json', schema: FAULTS_APPLIED_SCHEMA },
    errors: {
      ...BAD_BODY,
      403: 'FAULTS_NOT_ALLOWED: the node was started without --allow-fault-injection (or HOST_NOT_ALLOWED, ORIGIN_NOT_ALLOWED as on every route)',
    },
  },
  getOpenApi: {
    method: 'GET',
    url: '/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document, generated from the route table',
    response: {
      contentType: 'application/json',
      schema: {
        type: 'object',
        required: ['openapi', 'info', 'paths', 'components'],
        additionalProperties: true,
      },
    },
    errors: {},
  },
  putState: {
    method: 'PUT',
    url: '/v1/state/:name',
    summary:
      'Create a replicated object (idempotent): {"type": "set"|"topN"|"map"|"counter", "capacity"?: n}',
    body: STATE_CREATE_SCHEMA,
    response: { contentType: 'application/json', schema: STATE_OK_SCHEMA },
    errors: {
      ...BAD_BODY,
      409: 'CONFLICT: the object exists with another type or capacity',
      503: 'UNAVAILABLE: this node keeps no replicated state',
    },
  },
  postState: {
    method: 'POST',
    url: '/v1/state/:name',
    summary:
      'Apply one operation (set add|remove, topN offer, map put, counter inc); 200 only once the write is durable',
    body: STATE_OPERATION_SCHEMA,
    response: { contentType: 'application/json', schema: STATE_OK_SCHEMA },
    errors: {
      ...BAD_BODY,
      404: 'NOT_FOUND: no object of that name (create it with PUT)',
      503: 'UNAVAILABLE: this node keeps no replicated state',
    },
  },
  getState: {
    method: 'GET',
    url: '/v1/state/:name',
    summary: 'An object: {"type", "fingerprint", "value"}; converged replicas report the same fingerprint',
    response: { contentType: 'application/json', schema: STATE_READING_SCHEMA },
    errors: {
      404: 'NOT_FOUND: no object of that name',
      503: 'UNAVAILABLE: this node keeps no replicated state',
    },
  },
  getMetrics: {
    method: 'GET',
    url: '/metrics',
    summary:
      'Prometheus metrics: members by state, probe round trips, traffic, rejected frames, event-loop lag',
    response: { contentType: PROMETHEUS_CONTENT_TYPE, schema: { type: 'string' } },
    errors: {},
  },
}
