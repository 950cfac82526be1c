import { badRequest, isId, notFound } from '@taskforge/core'
import type { FastifyInstance } from 'fastify'

const MAX_DEPTH = 32

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Body fields whose strings may hold NUL characters (raw file content). */
    nulAllowed?: readonly string[]
  }
}

/** The path of the first string (key or value) holding NUL, or undefined. */
function findNul(value: unknown, path: string, skip: ReadonlySet<string>, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return undefined
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${path}[${index}]`, skip, depth + 1)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path === '' ? key : `${path}.${key}`
    if (key.includes('\0')) return itemPath
    if (depth === 0 && skip.has(key)) continue
    const found = findNul(item, itemPath, skip, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

/** What an `:id` names, from the route: the path segment before it (`/:customer/task/:id/job` names a task). */
function kindOfId(url: string | undefined): string {
  const match = /\/([a-z]+)\/:id(?:\/|$)/.exec(url ?? '')
  return match?.[1] ?? 'object'
}

/**
 * Refuses NUL characters in paths, queries and bodies before any route sees them: no store behind the
 * API can hold one in text, so letting one through would turn bad input into a server error. Ids that
 * are not uuids are unknown at once.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // Every object id is a uuid: anything else names nothing, and need not travel further to learn so.
    const id = (request.params as Record<string, unknown> | undefined)?.id
    if (typeof id === 'string' && !isId(id)) throw notFound(kindOfId(request.routeOptions.url), id)
    const skip = new Set(request.routeOptions.config.nulAllowed ?? [])
    const found =
      findNul(request.params, 'params', new Set()) ??
      findNul(request.query, 'query', new Set()) ??
      findNul(request.body, '', skip)
    if (found !== undefined) {
      const field =
        found.startsWith('params') || found.startsWith('query') ? found : `body${found ? `.${found}` : ''}`
      throw badRequest(`${field} may not contain NUL characters`, { field })
    }
  })
}
