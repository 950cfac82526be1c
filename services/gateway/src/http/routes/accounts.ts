import type { FastifyInstance } from 'fastify'
import type { Accounts } from '../../accounts/accounts.js'
import type { Access } from '../access.js'
import { limitedList, limitedString } from '../limit-schema.js'
import {
  customerParams,
  idParams,
  issuedTokenResponseSchema,
  organizationResponseSchema,
  tokenResponseSchema,
} from '../schemas.js'

/** Organizations (root token) and integration tokens (admin). */
export function accountRoutes(app: FastifyInstance, deps: { accounts: Accounts; access: Access }): void {
  const { accounts, access } = deps

  app.post<{ Body: { name: string } }>(
    '/admin/customers',
    {
      schema: {
        operationId: 'createOrganization',
        tags: ['organizations'],
        summary: 'Create an organization and its first admin token (root token only)',
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: limitedString('organizationName', { minLength: 1 }),
            access_token: { type: 'string' },
          },
        },
        response: { 201: organizationResponseSchema },
      },
    },
    async (request, reply) => {
      await access.permitRoot(request)
      const created = await accounts.createCustomer(request.body.name, 'root')
      return reply.status(201).send(created)
    },
  )

  app.post<{ Params: { customer: string }; Body: { name: string; role?: string; tags?: string[] } }>(
    '/:customer/token',
    {
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: 'Create an integration token; the token is shown only in this answer',
        params: customerParams,
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: limitedString('tokenName', { minLength: 1 }),
            role: { type: 'string', enum: ['viewer', 'user', 'admin'] },
            tags: limitedList('tokenTagCount', limitedString('tokenTag')),
            access_token: { type: 'string' },
          },
        },
        response: { 201: issuedTokenResponseSchema },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      const { name, role = 'admin', tags = [] } = request.body
      const issued = await accounts.issueToken(request.params.customer, name, role, caller.name, tags)
      return reply.status(201).send(issued)
    },
  )

  app.get<{ Params: { customer: string } }>(
    '/:customer/token',
    {
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: 'List integration tokens (never their secrets)',
        params: customerParams,
        response: { 200: { type: 'array', items: tokenResponseSchema } },
      },
    },
    async (request) => {
      await access.permit(request, request.params.customer, 'admin')
      return accounts.listTokens(request.params.customer)
    },
  )

  app.delete<{ Params: { customer: string; id: string } }>(
    '/:customer/token/:id',
    {
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        summary: 'Revoke a token, at once',
        params: idParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const { caller } = await access.permit(request, request.params.customer, 'admin')
      await accounts.revokeToken(request.params.customer, request.params.id, caller.name)
      return reply.status(204).send()
    },
  )
}
