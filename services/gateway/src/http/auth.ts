import { forbidden, notFound, unauthorized, validationFailed } from '@taskforge/core'
import type { FastifyRequest } from 'fastify'
import type { Accounts, Caller } from '../accounts/accounts.js'
import { hasRole, type Role } from '../accounts/roles.js'
import { secretMatcher } from '../accounts/token-hash.js'

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
  /** The caller behind the request's token; 401 when there is none or it is unknown. */
  caller(request: FastifyRequest): Promise<Caller>
  /** The caller, checked to belong to `customer` with at least `role`. Another organization's token: 404. */
  require(request: FastifyRequest, customer: string, role: Role): Promise<Caller>
  /**
   * As {@link require}, for routes whose path names no organization: `customer` comes from the query
   * or body, and a token that names none acts in its own organization.
   */
  requireNamed(request: FastifyRequest, role: Role): Promise<{ caller: Caller; customer: string }>
  /** Only the operator's root token. */
  requireRoot(request: FastifyRequest): Promise<Caller>
}

export function createAuthenticator(accounts: Accounts, rootToken: string): Authenticator {
  const isRootToken = secretMatcher(rootToken)
  async function caller(request: FastifyRequest): Promise<Caller> {
    const token = accessToken(request)
    if (!token) throw unauthorized('an access token is required (Authorization: Bearer, or access_token)')
    if (isRootToken(token)) return { kind: 'root', role: 'admin', name: 'root', tags: [] }
    const found = await accounts.authenticate(token)
    if (!found) throw unauthorized('the access token is unknown or revoked')
    return found
  }
  async function require(request: FastifyRequest, customer: string, role: Role): Promise<Caller> {
    const who = await caller(request)
    if (who.kind === 'root') {
      // The operator may act as an admin of any existing organization (token recovery, bootstrap).
      if (!(await accounts.customerExists(customer))) throw notFound('customer', customer)
      return who
    }
    if (who.customer !== customer) throw notFound('customer', customer)
    if (!hasRole(who.role, role))
      throw forbidden(`this action needs the ${role} role; the token has ${who.role}`)
    return who
  }
  return {
    caller,
    require,
    async requireNamed(request, role) {
      const named = requestField(request, 'customer')
      if (named !== '') return { caller: await require(request, named, role), customer: named }
      const who = await caller(request)
      if (who.customer === undefined) {
        throw validationFailed('customer is required with the root token', { field: 'customer' })
      }
      return { caller: await require(request, who.customer, role), customer: who.customer }
    },
    async requireRoot(request) {
      const who = await caller(request)
      if (who.kind !== 'root') throw forbidden('only the root token may do this')
      return who
    },
  }
}
