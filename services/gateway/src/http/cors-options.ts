import type { FastifyCorsOptions } from '@fastify/cors'
import type { FastifyRequest } from 'fastify'

const normalize = (origin: string) => origin.trim().replace(/\/+$/, '').toLowerCase()

const common: FastifyCorsOptions = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  exposedHeaders: ['location', 'etag', 'link', 'x-next-cursor', 'x-taskforge-total-lines'],
  maxAge: 600,
}

/**
 * CORS per request: an allowed origin is answered as itself, with credentials; `*` in the list lets
 * every other origin read answers, never with credentials; any other origin gets no CORS headers.
 */
export function corsDelegate(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins.filter((origin) => origin.trim() !== '*').map(normalize))
  const anyOrigin = allowedOrigins.some((origin) => origin.trim() === '*')
  // The three possible answers, built once rather than per request.
  const asItself: FastifyCorsOptions = { ...common, origin: true, credentials: true }
  const toAnyone: FastifyCorsOptions = { ...common, origin: '*', credentials: false }
  const none: FastifyCorsOptions = { ...common, origin: false }
  return (request: FastifyRequest, callback: (error: Error | null, options?: FastifyCorsOptions) => void) => {
    const origin = request.headers.origin
    if (typeof origin === 'string' && allowed.has(normalize(origin))) callback(null, asItself)
    else callback(null, anyOrigin ? toAnyone : none)
  }
}
