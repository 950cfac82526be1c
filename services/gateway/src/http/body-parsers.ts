import { badRequest } from '@taskforge/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { looksLikeForm, parseFormBody } from './form-body.js'

type JsonParse = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void

/** No route takes deeper JSON; deeper bodies would only exhaust the stack of whatever walks them. */
export const MAX_BODY_DEPTH = 32

/** Whether a parsed JSON value nests deeper than `limit` (walked without recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number]
    if (typeof current !== 'object' || current === null) continue
    if (depth >= limit) return true
    for (const child of Array.isArray(current) ? current : Object.values(current))
      stack.push([child, depth + 1])
  }
  return false
}

const tooDeep = () => badRequest(`the body nests deeper than ${MAX_BODY_DEPTH} levels`, { field: 'body' })

const notJson = () =>
  badRequest('the body is neither JSON nor form-encoded (name=value&...)', { field: 'body' })

/**
 * Body parsing as the documentation's examples need it. A body declared as JSON that is not JSON but
 * form-encoded (curl's `--data-urlencode` with a JSON `Content-Type` header) is read as the form it is;
 * a form-encoded body that is JSON (curl's `-d '{...}'` without a header) is read as JSON; an empty
 * body is no body. Prototype-poisoning keys are refused as fastify's own parser refuses them.
 */
export function installBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error') as unknown as JsonParse
  const lenient =
    (declared: 'json' | 'form' | 'text') =>
    (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
      const text = body.replace(/^\uFEFF/, '')
      if (text.trim() === '') {
        done(null, undefined)
        return
      }
      const trimmed = text.trimStart()
      const jsonShaped = trimmed.startsWith('{') || trimmed.startsWith('[')
      if (declared === 'form' && !jsonShaped) {
        done(null, parseFormBody(text))
        return
      }
      parseJson(request, text, (error, value) => {
        if (error === null) done(nestsDeeperThan(value, MAX_BODY_DEPTH) ? tooDeep() : null, value)
        else if (declared !== 'form' && looksLikeForm(text))
          done(null, parseFormBody(text, { trimValues: true }))
        else done(declared === 'form' ? notJson() : error)
      })
    }
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, lenient('json'))
  app.addContentTypeParser(/^application\/[\w.-]+\+json(;|$)/, { parseAs: 'string' }, lenient('json'))
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, lenient('form'))
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, lenient('text'))
}
