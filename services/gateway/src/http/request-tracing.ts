import { extractContext, type OpenSpan, openSpan, SpanKind, SpanStatusCode } from '@taskforge/telemetry'
import type { FastifyInstance, FastifyRequest } from 'fastify'

const spans = new WeakMap<FastifyRequest, OpenSpan>()

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Path without the query (a query may carry an access token) and with every secret key that a
 * path carries (`/secret/<key>`: task runs, incoming webhooks) masked, so traces never hold one.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  return path.replace(/\/secret\/[^/]+/gi, '/secret/:secret')
}

/**
 * One server span per request, continuing the caller's W3C trace when it sends one: the root of a
 * job's trace. The span is opened when the request arrives and made active before the route's own
 * hooks and handler run (after the body is read, whose stream callbacks would lose the context), so
 * every gRPC call a route makes is its child.
 */
export function installRequestTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const opened = openSpan(`${request.method}`, {
      kind: SpanKind.SERVER,
      parent: extractContext((key) => header(request, key)),
    })
    // Worked out only for a span that goes somewhere (no exporter: nothing is recorded).
    if (opened.span.isRecording()) {
      opened.span.setAttributes({
        'http.request.method': request.method,
        'url.path': pathOf(request.url),
        'url.scheme': request.protocol,
      })
    }
    spans.set(request, opened)
    opened.run(done)
  })
  app.addHook('preHandler', (request, _reply, done) => {
    const opened = spans.get(request)
    if (opened === undefined) return done()
    const route = request.routeOptions.url
    if (route !== undefined) {
      opened.span.updateName(`${request.method} ${route}`)
      opened.span.setAttribute('http.route', route)
    }
    opened.run(done)
  })
  app.addHook('onResponse', (request, reply, done) => {
    const opened = spans.get(request)
    spans.delete(request)
    if (opened !== undefined) {
      opened.span.setAttribute('http.response.status_code', reply.statusCode)
      if (reply.statusCode >= 500) opened.span.setStatus({ code: SpanStatusCode.ERROR })
      opened.span.end()
    }
    done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    const opened = spans.get(request)
    spans.delete(request)
    opened?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' })
    opened?.span.end()
    done()
  })
}
