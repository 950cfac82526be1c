import { STATUS_CODES } from 'node:http'
import swagger from '@fastify/swagger'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { componentSchemas, errorResponses, errorSchema } from './schemas.js'

/**
 * The OpenAPI document is a product (decision 21): clients are generated from it, so every
 * operation has an `operationId`, every error answer the one error schema, and `servers` the URL
 * clients reach. Route files declare their own schemas; what every route shares is added here.
 */

export interface OpenApiOptions {
  /** The URL clients reach the API at: the document's `servers` (asked when the document is first built). */
  publicUrl: () => string
}

/** Registers the document's builder; call before any route, so that every route is in it. */
export async function installOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  app.addSchema(errorSchema)
  for (const schema of componentSchemas) app.addSchema(schema)
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
    if (schema === undefined || schema.hide === true) return
    schema.response = { ...errorResponses, ...schema.response }
  })
  // Answers are serialized as they are, never reshaped to fit a response schema: the schemas
  // document them, and the answer-validation test holds the two together.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Taskforge API',
        version: '1.0.0',
        description:
          'Tasks, jobs, bots and webhooks. An organization (`customer`) keeps scripts and tasks; running a task creates a job, run by a bot. Authenticate with `Authorization: Bearer <token>` or `access_token` in the query; the console signs in with `POST /session` and then sends its session cookie.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          access_token: { type: 'apiKey', in: 'query', name: 'access_token' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'taskforge_session',
            description:
              'The console session cookie from POST /session; a POST, PUT, PATCH or DELETE with it also carries the x-taskforge-csrf header that POST /session answered',
          },
        },
      },
      security: [{ bearer: [] }, { access_token: [] }, { session: [] }],
    },
    transformObject: (document) =>
      'openapiObject' in document
        ? { ...describeSuccesses(document.openapiObject), servers: [{ url: options.publicUrl() }] }
        : document.swaggerObject,
    // Shared schemas are components named by their `$id` (`#/components/schemas/Error`).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
}

/** A success answer a route leaves undescribed is named by its status ("Created"), not "Default Response". */
function describeSuccesses<T extends { paths?: object }>(document: T): T {
  for (const path of Object.values(document.paths ?? {}) as Record<string, { responses?: object }>[]) {
    for (const operation of Object.values(path)) {
      for (const [status, answer] of Object.entries(operation.responses ?? {}) as [
        string,
        { description?: string },
      ][]) {
        if (answer.description === 'Default Response') answer.description = STATUS_CODES[status] ?? status
      }
    }
  }
  return document
}
