import { forbidden, notFound, unauthorized } from '@taskforge/core'
import type { FastifyRequest } from 'fastify'
import type { Accounts, Caller } from '../accounts/accounts.js'
import { hasRole, type Role } from '../accounts/roles.js'
import { secretsEqual } from '../accounts/token-hash.js'

/** Where a request may carry its access token: `Authorization: Bearer`, the query, or the body. */
export function accessToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match) return match[1]
  }
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.access_token
  if (typeof fromQuery === 'string' && fromQuery.length > 0) return fromQuery
  const body = request.body
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const fromBody = (body as Record<string, unknown>).access_token
    if (typeof fromBody === 'string' && fromBody.length > 0) return fromBody
  }
  return undefined
}

export interface Authenticator {
  /** The caller behind the request's token; 401 when there is none or it is unknown. */
  caller(request: FastifyRequest): Promise<Caller>
  /** The caller, checked to belong to `customer` with at least `role`. Another organization's token: 404. */
  require(request: FastifyRequest, customer: string, role: Role): Promise<Caller>
  /** Only the operator's root token. */
  requireRoot(request: FastifyRequest): Promise<Caller>
}

export function createAuthenticator(accounts: Accounts, rootToken: string): Authenticator {
  async function caller(request: FastifyRequest): Promise<Caller> {
    const token = accessToken(request)
    if (!token) throw unauthorized('an access token is required (Authorization: Bearer, or access_token)')
    if (secretsEqual(token, rootToken)) return { kind: 'root', role: 'admin', name: 'root', tags: [] }
    const found = await accounts.authenticate(token)
    if (!found) throw unauthorized('the access token is unknown or revoked')
    return found
  }
  return {
    caller,
    async require(request, customer, role) {
      const who = await caller(request)
      if (who.kind === 'root') {
        if (!(await accounts.customerExists(customer))) throw notFound('customer', customer)
        return who
      }
      if (who.customer !== customer) throw notFound('customer', customer)
      if (!hasRole(who.role, role))
        throw forbidden(`this action needs the ${role} role; the token has ${who.role}`)
      return who
    },
    async requireRoot(request) {
      const who = await caller(request)
      if (who.kind !== 'root') throw forbidden('only the root token may do this')
      return who
    },
  }
}
