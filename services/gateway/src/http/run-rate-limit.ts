import rateLimit from '@fastify/rate-limit'
import { Quotas, quotaExceeded } from '@taskforge/core'
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { type Authenticator, requestField } from './auth.js'

/** The window runs are counted in: the quota is runs per second. */
const WINDOW_MS = 1_000

/**
 * Who a run is counted against: its token (by id; the root token is one caller), or for a run by
 * secret key, which has no token, the task and the client's address together, so that one client
 * hammering a task's URL does not use up the others' runs of it. A request whose token is unknown
 * is counted by address (it is refused anyway, after).
 */
export function runRateKey(auth: Authenticator) {
  return async (request: FastifyRequest): Promise<string> => {
    const params = (request.params ?? {}) as { id?: string; secret?: string }
    if (params.secret !== undefined) {
      const task = params.id ?? (requestField(request, 'task') || requestField(request, 'task_id'))
      return `secret:${task}:${request.ip}`
    }
    try {
      const caller = await auth.caller(request)
      return caller.kind === 'root' ? 'root' : `token:${caller.tokenId ?? caller.name}`
    } catch {
      return `address:${request.ip}`
    }
  }
}

/**
 * Installs `@fastify/rate-limit` (for no route by itself) and answers the pre-handler of every run
 * route: at most `perSecond` runs per token (or per task and client address) in each second, counted
 * together over all the run routes, in this replica; past it, 429 with `Retry-After` and the quota
 * named in the JSON body. Counted once the body is parsed (a secret-key run may name its task there).
 */
export async function installRunRateLimit(
  app: FastifyInstance,
  auth: Authenticator,
  perSecond: number,
): Promise<preHandlerAsyncHookHandler> {
  await app.register(rateLimit, { global: false })
  // One limiter for all the run routes: they share its counters (a route's own config would not).
  return app.rateLimit({
    max: perSecond,
    timeWindow: WINDOW_MS,
    keyGenerator: runRateKey(auth),
    errorResponseBuilder: (_request, context) =>
      quotaExceeded(Quotas.runsPerToken, context.max, `more than ${context.max} runs in one second`),
  }) as preHandlerAsyncHookHandler
}
