import { forbidden, Quotas, quotaExceeded, unauthorized, unavailable } from '@taskforge/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Accounts, Caller } from '../../accounts/accounts.js'
import type { Sessions } from '../../accounts/sessions.js'
import { secretMatcher } from '../../accounts/token-hash.js'
import {
  type Authenticator,
  CSRF_HEADER,
  checkCsrf,
  checkSameOrigin,
  SESSION_COOKIE,
  sessionCookie,
} from '../auth.js'

const sessionResponseSchema = {
  type: 'object',
  description: 'Who the session is: the organization, role and token it stands for, and its CSRF token',
  required: ['customer', 'role', 'name', 'token_id', 'tags', 'expires_at', 'csrf_token'],
  properties: {
    customer: { type: 'string', description: 'the organization' },
    role: { type: 'string', enum: ['viewer', 'user', 'admin'] },
    name: { type: 'string', description: "the token's name" },
    token_id: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    expires_at: { type: 'string', format: 'date-time', description: 'when the session ends by itself' },
    csrf_token: {
      type: 'string',
      description: `send it back in the ${CSRF_HEADER} header of every POST, PUT, PATCH and DELETE made with the session cookie`,
    },
  },
} as const

function sessionView(caller: Caller, csrfToken: string, expiresAt: Date) {
  return {
    customer: caller.customer ?? '',
    role: caller.role,
    name: caller.name,
    token_id: caller.tokenId ?? '',
    tags: caller.tags,
    expires_at: expiresAt.toISOString(),
    csrf_token: csrfToken,
  }
}

function cookieOptions(request: FastifyRequest) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
  }
}

/**
 * Console sign-in, as Nomad's and Consul's UIs do it (decision 26): a token is exchanged once for an
 * HttpOnly, SameSite=Strict session cookie; the page never keeps the token.
 */
export function sessionRoutes(
  app: FastifyInstance,
  deps: {
    accounts: Accounts
    sessions: Sessions | undefined
    auth: Authenticator
    rootToken: string
    signInsPerMinute: number
  },
): void {
  const { accounts, auth } = deps
  const sessions = () => {
    if (deps.sessions === undefined) throw unavailable('console sessions are not configured here')
    return deps.sessions
  }
  const isRootToken = secretMatcher(deps.rootToken)
  const tags = ['sessions']

  app.post<{ Body: { token: string } }>(
    '/session',
    {
      config: {
        rateLimit: {
          max: deps.signInsPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_request, context) =>
            quotaExceeded(
              Quotas.sessionAttemptsPerAddress,
              context.max,
              `more than ${context.max} sign-ins from this address in one minute`,
            ),
        },
      },
      schema: {
        operationId: 'createSession',
        tags,
        summary: 'Sign in: exchange a token for a session cookie (HttpOnly, SameSite=Strict)',
        description:
          'Answers who the caller is and the CSRF token to send in x-taskforge-csrf with every unsafe request made with the cookie. JSON bodies only; a request from another origin is refused. The root token cannot sign in.',
        security: [],
        consumes: ['application/json'],
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 201: sessionResponseSchema },
      },
    },
    async (request, reply) => {
      // A cross-site form can send neither JSON nor a matching Origin: no one signs a browser in as someone else.
      checkSameOrigin(request)
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? ''))
        throw forbidden('sign in with a JSON body (Content-Type: application/json)')
      const token = request.body.token.trim()
      if (isRootToken(token))
        throw forbidden("the root token cannot sign in to the console: use an organization's token")
      const caller = await accounts.authenticate(token)
      if (caller === undefined) throw unauthorized('the token is unknown or revoked')
      const opened = await sessions().open(caller)
      reply.setCookie(SESSION_COOKIE, opened.id, { ...cookieOptions(request), expires: opened.expiresAt })
      return reply.status(201).send(sessionView(caller, opened.csrfToken, opened.expiresAt))
    },
  )

  app.get(
    '/session',
    {
      schema: {
        operationId: 'getSession',
        tags,
        summary: 'The current session: who it is, and its CSRF token; 401 when there is none',
        security: [{ session: [] }],
        response: { 200: sessionResponseSchema },
      },
    },
    async (request, reply) => {
      const live = await auth.session(request)
      if (live === undefined) {
        if (sessionCookie(request) !== undefined) clearCookie(request, reply)
        throw unauthorized('no session: sign in with POST /session')
      }
      return sessionView(live.caller, live.csrfToken, live.expiresAt)
    },
  )

  app.delete(
    '/session',
    {
      schema: {
        operationId: 'deleteSession',
        tags,
        summary: 'Sign out: ends the session for good and clears its cookie',
        security: [{ session: [] }],
        response: { 204: { type: 'null', description: 'signed out' } },
      },
    },
    async (request, reply) => {
      const id = sessionCookie(request)
      const live = await auth.session(request)
      if (id !== undefined && live !== undefined) {
        checkCsrf(request, live)
        await sessions().close(id)
      }
      clearCookie(request, reply)
      return reply.status(204).send()
    },
  )
}

function clearCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
}
