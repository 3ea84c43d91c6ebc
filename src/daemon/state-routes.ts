/**
 * The replicated-state routes (`PUT|POST|GET /v1/state/:name`, contracts in `api/routes.ts`). A write
 * answers 200 only once its delta is durable (the state service persists before it returns). Errors name
 * the problem: an unknown object is 404, an operation of the wrong type or a malformed one 400, a second
 * type for one name 409, a node without replicated state 503.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { StateCreate, StateOperation } from '../api/index.ts'
import { isMeshError } from '../kernel/index.ts'
import type { RunningNode, StateService } from '../node/index.ts'
import type { StateOp } from '../protocols/replication/index.ts'
import { apiError } from './error-handler.ts'
import { definition } from './route-definition.ts'

const UTF8 = new TextEncoder()

export function registerStateRoutes(app: FastifyInstance, node: RunningNode): void {
  const service = (reply: FastifyReply): StateService | undefined => {
    const state = node.replicatedState?.()
    if (state === undefined) {
      void reply.code(503).send(apiError('UNAVAILABLE', 'this node keeps no replicated state'))
    }
    return state
  }
  app.route({
    ...definition('putState'),
    handler: async (request, reply) => {
      const state = service(reply)
      if (state === undefined) return reply
      const { name } = request.params as { name: string }
      const body = request.body as StateCreate
      const held = state.read(name)
      if (held !== undefined && held.type !== body.type) {
        return reply
          .code(409)
          .send(apiError('CONFLICT', `the object ${name} exists as a ${held.type}, not a ${body.type}`))
      }
      return answer(reply, () => state.create(name, body))
    },
  })
  app.route({
    ...definition('postState'),
    handler: async (request, reply) => {
      const state = service(reply)
      if (state === undefined) return reply
      const { name } = request.params as { name: string }
      const op = operation(request.body as StateOperation)
      if (typeof op === 'string') return reply.code(400).send(apiError('INVALID_REQUEST', op))
      return answer(reply, () => state.apply(name, op))
    },
  })
  app.route({
    ...definition('getState'),
    handler: async (request, reply) => {
      const state = service(reply)
      if (state === undefined) return reply
      const { name } = request.params as { name: string }
      const reading = state.read(name)
      if (reading === undefined)
        return reply.code(404).send(apiError('NOT_FOUND', `no object is named ${name}`))
      return reading
    },
  })
}

/** Runs a state call and turns its MeshError into the route's status. */
function answer(reply: FastifyReply, call: () => void): FastifyReply | { ok: true } {
  try {
    call()
    return { ok: true }
  } catch (error) {
    if (!isMeshError(error)) throw error
    switch (error.code) {
      case 'NOT_FOUND':
        return reply.code(404).send(apiError('NOT_FOUND', error.message))
      case 'INVALID_ARGUMENT':
        return reply
          .code(error.message.includes('exists as') ? 409 : 400)
          .send(apiError(error.message.includes('exists as') ? 'CONFLICT' : 'INVALID_REQUEST', error.message))
      case 'CAPACITY_EXCEEDED':
        return reply.code(409).send(apiError('CONFLICT', error.message))
      case 'UNAVAILABLE':
        return reply.code(503).send(apiError('SHUTTING_DOWN', error.message))
      default:
        throw error
    }
  }
}

/** The operation a body names, with the fields its `op` needs; a message saying what is wrong otherwise. */
function operation(body: StateOperation): StateOp | string {
  const fields = body as Record<string, unknown>
  const need = (field: string, kind: 'string' | 'number'): string | undefined =>
    typeof fields[field] === kind ? undefined : `"${body.op}" needs "${field}" (a ${kind})`
  switch (body.op) {
    case 'add':
    case 'remove':
      return need('value', 'string') ?? { op: body.op, value: fields.value as string }
    case 'offer': {
      const missing = need('id', 'string') ?? need('rank', 'number')
      if (missing !== undefined) return missing
      return {
        op: 'offer',
        id: fields.id as string,
        rank: fields.rank as number,
        value: json(fields.value ?? null),
      }
    }
    case 'put':
      if (!('value' in fields)) return '"put" needs "value"'
      return need('key', 'string') ?? { op: 'put', key: fields.key as string, value: json(fields.value) }
    case 'inc':
      return (
        need('key', 'string') ??
        need('by', 'number') ?? { op: 'inc', key: fields.key as string, by: fields.by as number }
      )
  }
}

function json(value: unknown): Uint8Array {
  return UTF8.encode(JSON.stringify(value))
}
