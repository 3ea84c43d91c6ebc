/**
 * Fastify's own Ajv validator compiler (@fastify/ajv-compiler, the one Fastify uses by default, with the
 * same options), deferred: Ajv is loaded and a route's schema compiled on the first request that needs
 * validating, not when the app is built. Building compiled Ajv's meta-schema and the fault spec's schema
 * at every start, about 0.13 CPU-seconds of the ~0.5 a bundled node process spends starting (measured
 * with --cpu-prof), for a route (`POST /v1/faults`) that most nodes never serve. A schema error then
 * surfaces on that first request instead of at start; the server tests exercise every schema.
 */
import { createRequire } from 'node:module'
import type AjvCompilerModule from '@fastify/ajv-compiler'
import type { FastifySchemaCompiler } from 'fastify'

type BuildValidator = ReturnType<typeof AjvCompilerModule>
type RouteSchema = Parameters<ReturnType<BuildValidator>>[0]
type Validate = ReturnType<FastifySchemaCompiler<unknown>> & { errors?: unknown }

/** A `schemaController.compilersFactory.buildValidator` that compiles each schema on first use. */
export function lazyValidatorFactory(): BuildValidator {
  let pool: BuildValidator | undefined
  const factory = (externalSchemas: unknown, options: unknown) => {
    let compiler: ReturnType<BuildValidator> | undefined
    return (route: RouteSchema): Validate => {
      let validate: Validate | undefined
      const lazy: Validate = (data: unknown) => {
        // required, not imported: an import would load Ajv with this module, at every start
        pool ??= (createRequire(import.meta.url)('@fastify/ajv-compiler') as typeof AjvCompilerModule)()
        compiler ??= (pool as unknown as (e: unknown, o: unknown) => ReturnType<BuildValidator>)(
          externalSchemas,
          options,
        )
        validate ??= compiler(route) as Validate
        const result = validate(data)
        // Fastify reads a failed validation's errors from the function it called, where Ajv leaves them
        lazy.errors = validate.errors ?? null
        return result
      }
      return lazy
    }
  }
  return factory as unknown as BuildValidator
}
