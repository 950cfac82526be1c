import { conflict, type Decider, Limits, validationFailed } from '@taskforge/core'
import type { CustomerEvent } from '@taskforge/proto/accounts/v1/events'

export type CustomerEventCase = NonNullable<CustomerEvent['event']>

export interface CreateCustomer {
  type: 'create'
  customerId: string
  name: string
}
export type CustomerCommand = CreateCustomer

export interface CustomerState {
  exists: boolean
  customerId?: string
  name?: string
}

/** An organization's name is its identity in every path, so it must be safe in a URL segment. */
export const CUSTOMER_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${Limits.organizationName.value - 1}}$`)

/** First path segments of routes that name no organization: an organization of that name would be shadowed. */
export const RESERVED_CUSTOMER_NAMES: ReadonlySet<string> = new Set([
  'admin',
  'job',
  'docs',
  'openapi.json',
  'healthz',
  'readyz',
  'console',
  'session',
])

export const customerDecider: Decider<CustomerCommand, CustomerState, CustomerEventCase> = {
  initialState: () => ({ exists: false }),
  evolve(state, event) {
    switch (event.$case) {
      case 'created':
        return { exists: true, customerId: event.value.customerId, name: event.value.name }
      default:
        return state
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'create': {
        if (!CUSTOMER_NAME.test(command.name)) {
          throw validationFailed(
            'name must be 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
            { field: 'name' },
          )
        }
        if (RESERVED_CUSTOMER_NAMES.has(command.name.toLowerCase())) {
          throw validationFailed(`${command.name} is reserved: it names a route of the API`, {
            field: 'name',
          })
        }
        if (state.exists) throw conflict(`customer ${command.name} already exists`, { field: 'name' })
        return [{ $case: 'created', value: { customerId: command.customerId, name: command.name } }]
      }
    }
  },
}
