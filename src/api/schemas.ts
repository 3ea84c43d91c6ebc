/**
 * JSON schemas of what crosses the control API, written once: Fastify validates requests and serialises
 * responses with them, and `openapi.ts` publishes them. They describe the types of `types.ts` and must
 * stay in step with them; `test/api.test.ts` serves a real node's values through them.
 *
 * Only the subset shared by JSON Schema draft-07 (what Fastify's Ajv speaks) and 2020-12 (what OpenAPI
 * 3.1 speaks) is used: type, properties, required, additionalProperties, enum, const, items, bounds.
 * Request schemas carry bounds so that no request can make the node allocate without limit.
 */

import { CONNECTION_CLASSES } from '../kernel/index.ts'

export type JsonSchema = { readonly [keyword: string]: unknown }

const MEMBER_STATES = ['alive', 'suspect', 'failed', 'left'] as const

/** Peer ids are ~52 characters (ed25519, base58); 128 leaves room for other key types and encodings. */
const MAX_PEER_ID_CHARS = 128
/** A fault spec names at most this many peers; a partition of a larger cluster is made from both sides. */
const MAX_FAULT_PEERS = 10_000
/** Ten minutes of added delay is already a dead link; more is a typo. */
const MAX_FAULT_DELAY_MS = 600_000

const count = { type: 'integer', minimum: 0 } as const
const strings = { type: 'array', items: { type: 'string' } } as const
const peerIds = {
  type: 'array',
  maxItems: MAX_FAULT_PEERS,
  items: { type: 'string', minLength: 1, maxLength: MAX_PEER_ID_CHARS },
} as const

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error: a stable code that programs match on and a message for people.',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  additionalProperties: false,
}

export const PROFILE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['labels', 'capacity', 'memoryMb', 'connectionClass', 'region', 'hidden'],
  properties: {
    labels: strings,
    capacity: count,
    memoryMb: count,
    connectionClass: { type: 'string', enum: CONNECTION_CLASSES },
    region: { type: 'string' },
    hidden: { type: 'boolean' },
  },
  additionalProperties: false,
}

export const STATUS_SCHEMA: JsonSchema = {
  type: 'object',
  required: [
    'peerId',
    'realm',
    'state',
    'members',
    'addresses',
    'incarnation',
    'localHealth',
    'uptimeMs',
    'version',
  ],
  properties: {
    peerId: { type: 'string' },
    realm: { type: 'string' },
    state: { type: 'string', enum: ['running', 'partitioned', 'stopping'] },
    members: {
      type: 'object',
      description: 'Members this node knows, by state.',
      required: ['alive', 'suspect', 'failed', 'left'],
      properties: { alive: count, suspect: count, failed: count, left: count },
      additionalProperties: false,
    },
    addresses: strings,
    incarnation: count,
    localHealth: { type: 'number', description: "Lifeguard's local health score; 0 is healthy." },
    uptimeMs: { type: 'number' },
    version: { type: 'string' },
    overlay: {
      type: 'object',
      description: "The overlay's active and passive views (HyParView).",
      additionalProperties: { type: 'number' },
    },
    broadcast: {
      type: 'object',
      description: "Plumtree's eager and lazy peers and the messages it is missing.",
      additionalProperties: { type: 'number' },
    },
    replicatedState: {
      type: 'object',
      description: 'Replicated objects held, writes and merges, and refused inputs by reason.',
      additionalProperties: true,
    },
  },
  additionalProperties: false,
}

export const MEMBER_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['peerId', 'state', 'incarnation', 'addresses', 'profile'],
  properties: {
    peerId: { type: 'string' },
    state: { type: 'string', enum: MEMBER_STATES },
    incarnation: count,
    addresses: strings,
    profile: PROFILE_SCHEMA,
    rttMs: { type: 'number', description: 'Smoothed probe round trip, when measured.' },
  },
  additionalProperties: false,
}

export const MEMBERS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['self', 'members'],
  properties: { self: { type: 'string' }, members: { type: 'array', items: MEMBER_SCHEMA } },
  additionalProperties: false,
}

export const FAULT_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Drop traffic to and from peers (a partition), or shape links. Each call replaces the last.',
  properties: {
    dropPeers: { ...peerIds, description: 'Peers whose traffic is dropped both ways; empty heals.' },
    link: {
      type: 'object',
      required: ['minDelayMs', 'maxDelayMs', 'jitterMs', 'lossRate', 'bandwidthBytesPerSecond'],
      properties: {
        peers: { ...peerIds, description: 'Shape only these links; every link when absent.' },
        minDelayMs: {
          type: 'number',
          minimum: 0,
          maximum: MAX_FAULT_DELAY_MS,
          description: "Each peer's one-way delay is fixed, uniform in [minDelayMs, maxDelayMs].",
        },
        maxDelayMs: { type: 'number', minimum: 0, maximum: MAX_FAULT_DELAY_MS },
        jitterMs: { type: 'number', minimum: 0, maximum: MAX_FAULT_DELAY_MS },
        lossRate: { type: 'number', minimum: 0, maximum: 1 },
        bandwidthBytesPerSecond: { type: 'integer', minimum: 0, description: '0 means unlimited.' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

export const FAULTS_APPLIED_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean', const: true } },
  additionalProperties: false,
}

const protocol = { type: 'string', description: 'The module that emitted the event, e.g. membership.' }

const memberChange = (type: string): JsonSchema => ({
  type: 'object',
  required: ['type', 'protocol', 'at', 'id', 'incarnation'],
  properties: {
    type: { const: type },
    protocol,
    at: { type: 'number' },
    id: { type: 'string' },
    incarnation: count,
  },
})

const partitionChange = (type: string): JsonSchema => ({
  type: 'object',
  required: ['type', 'protocol', 'at', 'reachable', 'known'],
  properties: { type: { const: type }, protocol, at: { type: 'number' }, reachable: count, known: count },
})

const memberRecord = (type: string): JsonSchema => ({
  type: 'object',
  required: ['type', 'protocol', 'at', 'member'],
  properties: {
    type: { const: type },
    protocol,
    at: { type: 'number' },
    member: {
      type: 'object',
      required: ['id', 'incarnation', 'state', 'addresses', 'profile'],
      properties: {
        id: { type: 'string' },
        incarnation: count,
        state: { type: 'string', enum: MEMBER_STATES },
        addresses: strings,
        profile: PROFILE_SCHEMA,
      },
    },
  },
})

/** One `data:` line of the event stream. Documentation only: the server writes events as the node emits them. */
export const NODE_EVENT_SCHEMA: JsonSchema = {
  description: 'An event of one of the node modules (membership today); `at` is the node clock in ms.',
  oneOf: [
    memberRecord('MemberJoined'),
    memberRecord('MemberUpdated'),
    {
      type: 'object',
      required: ['type', 'protocol', 'at', 'id', 'incarnation', 'from'],
      properties: {
        type: { const: 'MemberSuspected' },
        protocol,
        at: { type: 'number' },
        id: { type: 'string' },
        incarnation: count,
        from: { type: 'string' },
      },
    },
    memberChange('MemberAlive'),
    memberChange('MemberFailed'),
    memberChange('MemberLeft'),
    partitionChange('PartitionDetected'),
    partitionChange('PartitionHealed'),
  ],
}

/** `PUT /v1/state/:name`: the object to create. */
export const STATE_CREATE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['set', 'topN', 'map', 'counter'] },
    capacity: { type: 'integer', minimum: 1, maximum: 100_000, description: 'topN only' },
  },
  additionalProperties: false,
}

/** `POST /v1/state/:name`: one operation; which fields it takes depends on `op`. */
export const STATE_OPERATION_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['op'],
  properties: {
    op: { enum: ['add', 'remove', 'offer', 'put', 'inc'] },
    value: { description: 'set: the element (a string); topN and map: any JSON value' },
    id: { type: 'string', minLength: 1, maxLength: 1_024 },
    rank: { type: 'number' },
    key: { type: 'string', minLength: 1, maxLength: 1_024 },
    by: { type: 'integer' },
  },
  additionalProperties: false,
}

export const STATE_OK_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { const: true } },
  additionalProperties: false,
}

export const STATE_READING_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'fingerprint', 'value'],
  properties: {
    type: { enum: ['set', 'topN', 'map', 'counter'] },
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    value: {},
  },
  additionalProperties: false,
}
