/**
 * The OpenAPI 3.1 document of the control API, generated from the route table so that it cannot fall
 * behind the code. Served at `GET /v1/openapi.json`; paste it into any OpenAPI viewer or client generator.
 */
import { COMMON_ERRORS, type OpenApiDocument, ROUTES, type RouteDefinition, type RouteId } from './routes.ts'
import { ERROR_SCHEMA } from './schemas.ts'

const ERROR_REF = { $ref: '#/components/schemas/Error' }

export function buildOpenApiDocument(version: string): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteDefinition][]) {
    const path = paths[route.url] ?? {}
    path[route.method.toLowerCase()] = operation(id, route)
    paths[route.url] = path
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meshwork node control API',
      version,
      description:
        'Served by `meshwork node start` on 127.0.0.1:7070 unless --api says otherwise. Every error is `{code, message}`.',
    },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Required on every route when the API listens on a non-loopback address; the node keeps the token in <dataDir>/api-token.',
        },
      },
    },
    // Either no credentials (loopback) or the bearer token.
    security: [{}, { bearerToken: [] }],
  }
}

function operation(id: RouteId, route: RouteDefinition): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    200: {
      description: route.summary,
      content: { [route.response.contentType]: { schema: route.response.schema } },
    },
  }
  for (const [status, description] of Object.entries({ ...COMMON_ERRORS, ...route.errors })) {
    responses[status] = { description, content: { 'application/json': { schema: ERROR_REF } } }
  }
  return {
    operationId: id,
    summary: route.summary,
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }),
    responses,
  }
}
