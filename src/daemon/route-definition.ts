/** A route of the table (`api/routes.ts`) as Fastify takes it: method, path and schemas. */
import { ROUTES, type RouteId } from '../api/index.ts'

/** Method, path and schemas of a route, as Fastify takes them. JSON responses are serialised by schema. */
export function definition(id: RouteId) {
  const route = ROUTES[id]
  return {
    method: route.method,
    url: route.url,
    exposeHeadRoute: route.method === 'GET',
    schema: {
      ...(route.body === undefined ? {} : { body: route.body }),
      ...(route.response.contentType === 'application/json'
        ? { response: { 200: route.response.schema } }
        : {}),
    },
  }
}
