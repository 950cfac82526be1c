import { unauthorized } from '@taskforge/core'
import type { FastifyRequest } from 'fastify'
import type { Accounts, Caller } from '../accounts/accounts.js'
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
  /** Whether the organization exists: the root token may name any, and is told 404 for none. */
  organizationExists(customer: string): Promise<boolean>
}

/** Who is calling; what the caller may do is decided by `authorize` (decision 16). */
export function createAuthenticator(accounts: Accounts, rootToken: string): Authenticator {
  const isRootToken = secretMatcher(rootToken)
  return {
    async caller(request) {
      const token = accessToken(request)
      if (!token) throw unauthorized('an access token is required (Authorization: Bearer, or access_token)')
      if (isRootToken(token)) return { kind: 'root', role: 'admin', name: 'root', tags: [] }
      const found = await accounts.authenticate(token)
      if (!found) throw unauthorized('the access token is unknown or revoked')
      return found
    },
    organizationExists: (customer) => accounts.customerExists(customer),
  }
}
