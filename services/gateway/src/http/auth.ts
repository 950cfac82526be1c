import { timingSafeEqual } from 'node:crypto'
import { forbidden, unauthorized } from '@taskforge/core'
import type { FastifyRequest } from 'fastify'
import type { Accounts, Caller } from '../accounts/accounts.js'
import type { LiveSession, Sessions } from '../accounts/sessions.js'
import { secretMatcher } from '../accounts/token-hash.js'

/** The console's session cookie (decision 26). */
export const SESSION_COOKIE = 'taskforge_session'
/** The header a cookie-authenticated unsafe request carries: the session's CSRF token. */
export const CSRF_HEADER = 'x-taskforge-csrf'

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The session cookie's value, if the request carries one. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const value = (request as { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE]
  return value === undefined || value === '' ? undefined : value
}

/** The request's own origin, as a browser names it in `Origin`. */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase()
}

/**
 * Refuses (403) a request that a page of another site could have made: an `Origin` that is not
 * ours, or `Sec-Fetch-Site: cross-site`. Browsers send one or the other on every unsafe request.
 */
export function checkSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin
  if (typeof origin === 'string' && origin.toLowerCase() !== ownOrigin(request))
    throw forbidden(`a session request from another origin (${origin.slice(0, 200)}) is refused`)
  if (request.headers['sec-fetch-site'] === 'cross-site')
    throw forbidden('a session request from another site is refused')
}

/**
 * CSRF: an unsafe request authenticated by the session cookie must come from our origin and carry
 * the session's CSRF token in {@link CSRF_HEADER}, which a cross-site form cannot send.
 */
export function checkCsrf(request: FastifyRequest, session: LiveSession): void {
  if (SAFE_METHODS.has(request.method)) return
  checkSameOrigin(request)
  const sent = request.headers[CSRF_HEADER]
  const expected = Buffer.from(session.csrfToken)
  const given = Buffer.from(typeof sent === 'string' ? sent : '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw forbidden(
      `a ${request.method} authenticated by the session cookie must carry the ${CSRF_HEADER} header that POST /session answered`,
    )
}

/** Where a request may carry its access token: `Authorization: Bearer`, the query, or the body. */
export function accessToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match) return match[1]
  }
  const token = requestField(request, 'access_token')
  return token === '' ? undefined : token
}

/**
 * A field a request may carry in its query or, failing that, its body (JSON or form), trimmed; ''
 * when it carries none. The documentation's examples put `customer`, `task` and `access_token` in
 * either, with stray spaces.
 */
export function requestField(request: FastifyRequest, name: string): string {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.[name]
  if (typeof fromQuery === 'string' && fromQuery.trim() !== '') return fromQuery.trim()
  const body = request.body
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const fromBody = (body as Record<string, unknown>)[name]
    if (typeof fromBody === 'string') return fromBody.trim()
  }
  return ''
}

export interface Authenticator {
  /**
   * The caller behind the request's token or, when it carries none, its session cookie (CSRF-checked
   * for unsafe methods); 401 when there is neither or it is unknown.
   */
  caller(request: FastifyRequest): Promise<Caller>
  /** The live session behind the request's cookie, if any (not CSRF-checked). */
  session(request: FastifyRequest): Promise<LiveSession | undefined>
  /** Whether the organization exists: the root token may name any, and is told 404 for none. */
  organizationExists(customer: string): Promise<boolean>
}

/** Who is calling; what the caller may do is decided by `authorize` (decision 16). */
export function createAuthenticator(
  accounts: Accounts,
  rootToken: string,
  sessions?: Sessions,
): Authenticator {
  const isRootToken = secretMatcher(rootToken)

  // Asked anew each time: a long answer (a log follow, an event stream) asks again to see a sign-out.
  async function session(request: FastifyRequest): Promise<LiveSession | undefined> {
    const id = sessionCookie(request)
    return id === undefined || sessions === undefined ? undefined : sessions.find(id)
  }

  async function identify(request: FastifyRequest): Promise<Caller> {
    const token = accessToken(request)
    if (!token) {
      if (sessionCookie(request) !== undefined) {
        const live = await session(request)
        if (live === undefined) throw unauthorized('the session has ended or is unknown: sign in again')
        checkCsrf(request, live)
        return live.caller
      }
      throw unauthorized('an access token is required (Authorization: Bearer, or access_token)')
    }
    if (isRootToken(token)) return { kind: 'root', role: 'admin', name: 'root', tags: [] }
    const found = await accounts.authenticate(token)
    if (!found) throw unauthorized('the access token is unknown or revoked')
    return found
  }

  return {
    caller: identify,
    session,
    organizationExists: (customer) => accounts.customerExists(customer),
  }
}
