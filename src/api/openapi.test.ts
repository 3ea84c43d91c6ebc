/**
 * The OpenAPI document is generated from the route table: every route appears with its method, schemas
 * and error answers.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildOpenApiDocument } from './openapi.ts'
import { ROUTES } from './routes.ts'

describe('OpenAPI document', () => {
  it('lists every route of the table with its 200 content and the common errors', () => {
    const document = buildOpenApiDocument('9.9.9')
    assert.equal(document.openapi, '3.1.0')
    assert.equal(document.info.version, '9.9.9')
    const operations = Object.values(document.paths).flatMap((path) => Object.keys(path))
    assert.equal(operations.length, Object.keys(ROUTES).length)
    for (const [id, route] of Object.entries(ROUTES)) {
      const operation = document.paths[route.url]?.[route.method.toLowerCase()] as {
        operationId: string
        responses: Record<string, { content: Record<string, unknown> }>
      }
      assert.equal(operation.operationId, id)
      assert.ok(operation.responses['200']?.content[route.response.contentType], id)
      for (const status of ['401', '500', '503']) assert.ok(operation.responses[status], `${id} ${status}`)
    }
  })

  it('documents the fault body and its refusals', () => {
    const faults = buildOpenApiDocument('1').paths['/v1/faults']?.post as {
      requestBody: { content: Record<string, { schema: { additionalProperties: boolean } }> }
      responses: Record<string, unknown>
    }
    assert.equal(faults.requestBody.content['application/json']?.schema.additionalProperties, false)
    for (const status of ['400', '403', '413', '415']) assert.ok(faults.responses[status], status)
  })
})
