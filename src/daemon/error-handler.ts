/**
 * Every failure of the control API answers `{code, message}` (see `api/errors.ts`): invalid JSON, bodies
 * that break the schema, unknown routes and internal errors alike. Validation messages name the field, and
 * for an unknown field, its name, so that a person can fix the request from the message alone.
 */
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify'
import { type ApiErrorBody, ROUTES, type ServerErrorCode } from '../api/index.ts'

/** Echoed request paths are cut to this length, so an error body cannot be made large from outside. */
const MAX_ECHOED_URL_CHARS = 200

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const { status, body } = errorResponse(error)
    if (status >= 500) request.log.error({ err: error }, 'control API request failed')
    return reply.code(status).type('application/json; charset=utf-8').send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url
    const allowed = allowedMethods(path)
    if (allowed.length > 0) {
      // RFC 9110 §15.5.6: a 405 lists the methods the resource takes.
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(apiError('METHOD_NOT_ALLOWED', `${path} takes ${allowed.join(', ')}, not ${request.method}`))
    }
    return reply
      .code(404)
      .send(
        apiError(
          'NOT_FOUND',
          `no route ${request.method} ${request.url.slice(0, MAX_ECHOED_URL_CHARS)}; the routes are listed at GET /v1/openapi.json`,
        ),
      )
  })
}

/** The methods the route table serves at `path`; every GET is served for HEAD too. */
function allowedMethods(path: string): string[] {
  const methods = Object.values(ROUTES)
    .filter((route) => route.url === path)
    .flatMap((route) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]))
  return [...new Set(methods)]
}

export function apiError(code: ServerErrorCode, message: string): ApiErrorBody {
  return { code, message }
}

function errorResponse(error: FastifyError): { status: number; body: ApiErrorBody } {
  if (error.validation !== undefined) {
    return {
      status: 400,
      body: apiError(
        'INVALID_REQUEST',
        validationMessage(error.validationContext ?? 'request', error.validation),
      ),
    }
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: apiError('INVALID_JSON', `the body is not valid JSON: ${error.message}`) }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: apiError('PAYLOAD_TOO_LARGE', error.message) }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: apiError(
          'UNSUPPORTED_MEDIA_TYPE',
          'send the body as JSON, with content-type: application/json',
        ),
      }
  }
  // JSON.parse errors (a body that parses as JSON text but not as a document, prototype poisoning).
  if (error instanceof SyntaxError) {
    return { status: 400, body: apiError('INVALID_JSON', `the body is not valid JSON: ${error.message}`) }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return { status, body: apiError('INVALID_REQUEST', error.message) }
  }
  return { status: 500, body: apiError('INTERNAL', 'the node failed to answer; its log says why') }
}

function validationMessage(context: string, issues: readonly FastifySchemaValidationError[]): string {
  const issue = issues[0]
  if (issue === undefined) return `${context} is invalid`
  const where = `${context}${issue.instancePath}`
  const params = issue.params as Record<string, unknown>
  if (issue.keyword === 'additionalProperties') {
    return `${where} has an unknown field "${String(params.additionalProperty)}"`
  }
  return `${where} ${issue.message ?? 'is invalid'}`
}
