import { AppError, ErrorKinds, isId, notFound, validationFailed } from '@taskforge/core'
import type { CommandContext } from '../events/command-context.js'

/** The organization a request acts for; every query and command is scoped by it. */
export function customerOf(request: { customer: string }): string {
  if (request.customer.trim() === '') throw validationFailed('customer is required', { field: 'customer' })
  if (request.customer.includes('\0'))
    throw validationFailed('customer may not contain NUL characters', { field: 'customer' })
  return request.customer
}

export function contextOf(request: { customer: string; author?: string }): CommandContext {
  return { customer: customerOf(request), author: request.author || undefined }
}

/** Ids are uuids: anything else names nothing, and never reaches a query. */
export function idOf(id: string, what: 'script' | 'task'): string {
  if (!isId(id)) throw notFound(what, id)
  return id
}

/** The read model answers after the projector caught up; a miss here means the object vanished meanwhile. */
export function written<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined)
    throw new AppError(ErrorKinds.CONFLICT, `${what} ${id} changed while it was being written`)
  return value
}
