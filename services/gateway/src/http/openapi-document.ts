import { createLogger } from '@taskforge/telemetry'
import type { Accounts } from '../accounts/accounts.js'
import type { Clients } from '../clients/clients.js'
import type { Quarantines } from './routes/quarantine.js'
import { buildHttpServer } from './server.js'

/** The services whose quarantine the operator's routes reach: the gateway and the four it calls. */
export const QUARANTINE_SERVICES = [
  'gateway',
  'task-catalog',
  'job-scheduler',
  'bot-dispatch',
  'webhook-relay',
]

/**
 * The gateway's OpenAPI document without a running platform: the routes are built with inert
 * dependencies, which nothing calls, and the document is read before the app ever listens. The
 * SDK's committed copy is made by this (`clients/sdk/scripts/generate.ts`).
 */
export async function openApiDocument(publicUrl: string): Promise<Record<string, unknown>> {
  const inert = {} as never
  const quarantines: Quarantines = Object.fromEntries(QUARANTINE_SERVICES.map((name) => [name, inert]))
  const app = await buildHttpServer({
    accounts: inert as Accounts,
    clients: inert as Clients,
    rootToken: 'unused',
    corsOrigins: [],
    logger: createLogger('openapi', {}, { level: 'silent' }),
    quarantines,
    publicUrl: () => publicUrl,
    // Bounds of serving requests, which the document never does.
    runsPerSecond: 1,
    timeouts: { requestMs: 1_000, headersMs: 1_000, idleMs: 1_000 },
    logFollowMaxMs: 1_000,
  })
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
  }
}
