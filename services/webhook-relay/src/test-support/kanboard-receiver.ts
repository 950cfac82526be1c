import type { Answer, ReceivedRequest } from './receiver.js'

/**
 * A receiver written only from the Kanboard webhook document (`seeds/webhooks.md`): a JSON POST,
 * the webhook token in the query string, a body `{ event_name, event_data }` with `event_data` an
 * object, and update events carrying `event_data.changes`. Anything else is refused (4xx) and noted.
 * `token` resolves once the subscription is created (its first request may come before the answer).
 */
export function kanboardReceiver(token: Promise<string>, rejections: string[] = []) {
  const refuse = (reason: string): Answer => {
    rejections.push(reason)
    return { status: 400, body: reason }
  }
  return async (request: ReceivedRequest): Promise<Answer> => {
    if (request.method !== 'POST') return refuse(`method ${request.method}`)
    if (request.query.get('token') !== (await token)) {
      rejections.push('bad token')
      return { status: 403, body: 'bad token' }
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse('not JSON')
    }
    let payload: unknown
    try {
      payload = JSON.parse(request.body)
    } catch {
      return refuse('body is not JSON')
    }
    const { event_name: name, event_data: data } = (payload ?? {}) as Record<string, unknown>
    if (typeof name !== 'string' || !/^[a-z_]+(\.[a-z_]+)+$|^ping$/.test(name)) return refuse('no event_name')
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return refuse('no event_data')
    if (name.endsWith('.update')) {
      const changes = (data as Record<string, unknown>).changes
      if (typeof changes !== 'object' || changes === null) return refuse(`${name} without changes`)
    }
    return { status: 200, body: 'accepted' }
  }
}
