import cookie from '@fastify/cookie'
import cors from '@fastify/cors'
import swaggerUi from '@fastify/swagger-ui'
import { Limits, Quotas } from '@taskforge/core'
import type { Logger } from '@taskforge/telemetry'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { Accounts } from '../accounts/accounts.js'
import type { Sessions } from '../accounts/sessions.js'
import type { Clients } from '../clients/clients.js'
import type { LiveHub } from '../live/live-events.js'
import { TaskReads } from '../tasks/task-reads.js'
import { createAccess } from './access.js'
import { createAuthenticator } from './auth.js'
import { installBodyParsers } from './body-parsers.js'
import { installConsole } from './console.js'
import { corsDelegate } from './cors-options.js'
import { answerClientError, installErrorHandling } from './errors.js'
import { installInputGuard } from './input-guard.js'
import { limitKeywords } from './limit-schema.js'
import { installOpenApi } from './openapi.js'
import { installRequestTracing } from './request-tracing.js'
import { accountRoutes } from './routes/accounts.js'
import { botRoutes } from './routes/bots.js'
import { DEFAULT_EVENT_STREAM_BOUNDS, type EventStreamBounds, eventRoutes } from './routes/events.js'
import { incomingWebhookRoutes } from './routes/incoming-webhooks.js'
import { jobControlRoutes } from './routes/job-control.js'
import { jobRoutes } from './routes/jobs.js'
import { type Quarantines, quarantineRoutes } from './routes/quarantine.js'
import { runRoutes } from './routes/runs.js'
import { scheduleRoutes } from './routes/schedules.js'
import { scriptRoutes } from './routes/scripts.js'
import { sessionRoutes } from './routes/sessions.js'
import { subscriptionRoutes } from './routes/subscriptions.js'
import { taskCredentialRoutes } from './routes/task-credentials.js'
import { taskRecipeRoutes } from './routes/task-recipes.js'
import { taskRoutes } from './routes/tasks.js'
import { workflowRunRoutes } from './routes/workflow-runs.js'
import { workflowStepRoutes } from './routes/workflow-steps.js'
import { workflowRoutes } from './routes/workflows.js'
import { installRunRateLimit } from './run-rate-limit.js'

export interface HttpDeps {
  accounts: Accounts
  /** Console sessions (decision 26); without them (tests of other routes), signing in answers 503. */
  sessions?: Sessions
  /** Sign-ins (POST /session) one client address may try in a minute (default: the quota's). */
  signInsPerMinute?: number
  clients: Clients
  /** How tasks are read (decision 33); without it (tests of other routes), each read asks task-catalog. */
  tasks?: TaskReads
  rootToken: string
  corsOrigins: string[]
  logger: Logger
  /** Each service's quarantine by name, for the operator's `/admin/quarantine` routes. */
  quarantines: Quarantines
  /** Runs one token may ask in one second (a quota: 429 past it). */
  runsPerSecond: number
  /** How long a client may take to send a request, its headers, and how long a connection may idle. */
  timeouts: HttpTimeouts
  /** The longest a log follow streams before it ends (the client may follow again). */
  logFollowMaxMs: number
  /** The URL clients reach the API at, for the OpenAPI document's `servers`; asked once it listens. */
  publicUrl: () => string
  /** The console's static build, or undefined when there is none (its pages then answer 503). */
  consoleDir?: string | undefined
  /** The live events of every organization, for `GET /:customer/events` (503 without it). */
  liveHub?: LiveHub
  /** Bounds of the live events streams (defaults: DEFAULT_EVENT_STREAM_BOUNDS). */
  eventStreams?: Partial<EventStreamBounds>
}

/** The gateway's bounds on slow clients (see `GATEWAY_*_TIMEOUT` in docs/configuration.md). */
export interface HttpTimeouts {
  /** From the connection's first byte to the request's last (headers and body). */
  requestMs: number
  /** From the connection's first byte to the end of the headers. */
  headersMs: number
  /** A socket with nothing received or sent for this long is closed (0: never). */
  idleMs: number
}

/**
 * How often Node looks for requests past their deadlines: the header and request timeouts hold
 * within this much. (Node's default, 30 s, would let a slow-header client hold a socket that long.)
 */
const TIMEOUT_CHECK_MS = 1_000

/** The public REST API. It authenticates and authorizes, then asks the service that owns the data. */
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Requests are traced and errors logged by our own hooks; fastify's per-request lines would repeat them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: Limits.requestBody.value,
    requestTimeout: deps.timeouts.requestMs,
    connectionTimeout: deps.timeouts.idleMs,
    http: {
      // Node refuses a request whose URL, header names and values reach maxHeaderSize: one more than the limit.
      maxHeaderSize: Limits.requestHeaders.value + 1,
      headersTimeout: deps.timeouts.headersMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, deps.timeouts.headersMs),
    },
    clientErrorHandler: answerClientError,
    ajv: {
      customOptions: {
        coerceTypes: 'array',
        removeAdditional: false,
        useDefaults: true,
        allErrors: false,
        allowUnionTypes: true,
        // Errors carry the value and the schema that refused it, so a limit's answer can name both.
        verbose: true,
      },
      plugins: [limitKeywords],
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  })
  installRequestTracing(app)
  installErrorHandling(app)
  installBodyParsers(app)
  installInputGuard(app)
  await installOpenApi(app, { publicUrl: deps.publicUrl })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  // Only the configured origins get CORS headers; credentials are never sent to any other origin.
  await app.register(cors, { delegator: corsDelegate(deps.corsOrigins) })
  await app.register(cookie)
  const authenticator = createAuthenticator(deps.accounts, deps.rootToken, deps.sessions)
  const tasks = deps.tasks ?? new TaskReads(deps.clients.catalog, { ttlMs: 0, maxBytes: 0 })
  const access = createAccess(authenticator, deps.clients, tasks)
  const rateLimit = await installRunRateLimit(app, authenticator, deps.runsPerSecond)
  accountRoutes(app, { accounts: deps.accounts, access })
  sessionRoutes(app, {
    accounts: deps.accounts,
    sessions: deps.sessions,
    auth: authenticator,
    rootToken: deps.rootToken,
    signInsPerMinute: deps.signInsPerMinute ?? Quotas.sessionAttemptsPerAddress.value,
  })
  quarantineRoutes(app, { quarantines: deps.quarantines, access })
  scriptRoutes(app, { clients: deps.clients, tasks, access })
  taskRoutes(app, { clients: deps.clients, tasks, access })
  workflowRoutes(app, { clients: deps.clients, access })
  taskRecipeRoutes(app, { clients: deps.clients, tasks, access })
  taskCredentialRoutes(app, { clients: deps.clients, tasks, access })
  runRoutes(app, { clients: deps.clients, access, rateLimit })
  workflowRunRoutes(app, { clients: deps.clients, access, rateLimit })
  workflowStepRoutes(app, { clients: deps.clients, access })
  jobRoutes(app, { clients: deps.clients, tasks, access })
  scheduleRoutes(app, { clients: deps.clients, access })
  jobControlRoutes(app, { clients: deps.clients, access, logFollowMaxMs: deps.logFollowMaxMs })
  botRoutes(app, { clients: deps.clients, access })
  subscriptionRoutes(app, { clients: deps.clients, access })
  incomingWebhookRoutes(app, { clients: deps.clients, access })
  eventRoutes(app, {
    access,
    hub: deps.liveHub,
    bounds: { ...DEFAULT_EVENT_STREAM_BOUNDS, ...deps.eventStreams },
  })
  await installConsole(app, deps.consoleDir)
  return app
}
