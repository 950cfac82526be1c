import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Logger } from '@taskforge/telemetry'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Accounts } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import { createAuthenticator } from './auth.js'
import { installErrorHandling } from './errors.js'
import { accountRoutes } from './routes/accounts.js'
import { botRoutes } from './routes/bots.js'
import { catalogRoutes } from './routes/catalog.js'
import { jobRoutes } from './routes/jobs.js'

export interface HttpDeps {
  accounts: Accounts
  clients: Clients
  rootToken: string
  corsOrigins: string[]
  logger: Logger
  bodyLimit?: number
}

/** The public REST API. It authenticates and authorizes, then asks the service that owns the data. */
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: deps.bodyLimit ?? 2 * 1024 * 1024,
    ajv: {
      customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false },
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  })
  installErrorHandling(app)
  await app.register(formbody)
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Taskforge API', version: '1.0.0', description: 'Tasks, jobs, bots and webhooks.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          access_token: { type: 'apiKey', in: 'query', name: 'access_token' },
        },
      },
      security: [{ bearer: [] }, { access_token: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(cors, {
    // Only the configured origins get CORS headers; credentials are never sent to any other origin.
    origin: (origin, callback) => callback(null, origin !== undefined && deps.corsOrigins.includes(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  })
  const auth = createAuthenticator(deps.accounts, deps.rootToken)
  accountRoutes(app, { accounts: deps.accounts, auth })
  catalogRoutes(app, { clients: deps.clients, auth })
  jobRoutes(app, { clients: deps.clients, auth })
  botRoutes(app, { clients: deps.clients, auth })
  return app
}
