import { checkCount, checkSize, type Decider, invalidState, Limits, validationFailed } from '@taskforge/core'
import { isRole, type Role } from '@taskforge/model'
import type { TokenEvent } from '@taskforge/proto/accounts/v1/events'

export type TokenEventCase = NonNullable<TokenEvent['event']>

export interface IssueToken {
  type: 'issue'
  tokenId: string
  customer: string
  name: string
  role: string
  tokenHash: string
  tags?: string[]
}
export interface RevokeToken {
  type: 'revoke'
}
export type TokenCommand = IssueToken | RevokeToken

export interface TokenState {
  status: 'none' | 'active' | 'revoked'
  customer?: string
  name?: string
  role?: Role
}

export const tokenDecider: Decider<TokenCommand, TokenState, TokenEventCase> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.$case) {
      case 'issued':
        return {
          status: 'active',
          customer: event.value.customer,
          name: event.value.name,
          role: isRole(event.value.role) ? event.value.role : 'viewer',
        }
      case 'revoked':
        return { ...state, status: 'revoked' }
      default:
        return state
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'issue': {
        if (state.status !== 'none') throw invalidState('token already issued')
        const name = command.name.trim()
        if (name.length === 0) throw validationFailed('name is required', { field: 'name' })
        checkSize(Limits.tokenName, 'name', name)
        const tags = command.tags ?? []
        checkCount(Limits.tokenTagCount, 'tags', tags.length)
        for (const [index, tag] of tags.entries()) checkSize(Limits.tokenTag, `tags[${index}]`, tag)
        if (!isRole(command.role))
          throw validationFailed('role must be viewer, user or admin', { field: 'role' })
        return [
          {
            $case: 'issued',
            value: {
              tokenId: command.tokenId,
              customer: command.customer,
              name,
              role: command.role,
              tokenHash: command.tokenHash,
              tags,
            },
          },
        ]
      }
      case 'revoke':
        if (state.status === 'none') throw invalidState('no such token')
        if (state.status === 'revoked') return []
        return [{ $case: 'revoked', value: {} }]
    }
  },
}
