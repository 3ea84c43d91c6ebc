/**
 * Fastify's own Ajv validator compiler (@fastify/ajv-compiler, the one Fastify uses by default, with the
 * same options), deferred: a route's schema is compiled on the first request that needs validating, not
 * when the app is built. Building compiled Ajv's meta-schema and the fault spec's schema at every start,
 * about 0.13 CPU-seconds of the ~0.5 a node process spends starting (measured with --cpu-prof), for a
 * route (`POST /v1/faults`) that most nodes never serve. A schema error then surfaces on that first
 * request instead of at start; the server tests exercise every schema, so one is caught there.
 */
import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifySchemaCompiler } from 'fastify'

type BuildValidator = ReturnType<typeof AjvCompiler>
type RouteSchema = Parameters<ReturnType<BuildValidator>>[0]

/** A `schemaController.compilersFactory.buildValidator` that compiles each schema on first use. */
export function lazyValidatorFactory(): BuildValidator {
  const pool = AjvCompiler()
  const factory = (externalSchemas: unknown, options: unknown) => {
    let compiler: ReturnType<BuildValidator> | undefined
    return (route: RouteSchema) => {
      let validate: ReturnType<FastifySchemaCompiler<unknown>> | undefined
      // Fastify reads a failed validation's errors from the function it called, as Ajv leaves them
      const lazy = ((data: unknown) => {
        compiler ??= (pool as (e: unknown, o: unknown) => ReturnType<BuildValidator>)(
          externalSchemas,
          options,
        )
        validate ??= compiler(route) as ReturnType<FastifySchemaCompiler<unknown>>
        const result = validate(data)
        ;(lazy as { errors?: unknown }).errors = (validate as { errors?: unknown }).errors
        return result
      }) as ReturnType<FastifySchemaCompiler<unknown>> & { errors?: unknown }
      return lazy
    }
  }
  return factory as unknown as BuildValidator
}
