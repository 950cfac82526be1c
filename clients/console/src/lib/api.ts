import { createTaskforge, isTaskforgeError, type Taskforge } from '@taskforge/sdk'

/** What the gateway says about the signed-in caller (`GET /session`). */
export interface Session {
  customer: string
  role: string
  name: string
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** The gateway's CSRF header: its session's token goes back in it on every unsafe request. */
const CSRF_HEADER = 'x-taskforge-csrf'
let csrf: string | undefined

/**
 * Every request of the console: the HttpOnly session cookie goes by itself (same origin); the
 * token the user typed is never kept, in memory or in web storage.
 */
const consoleFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init)
  if (!UNSAFE.has(request.method) || csrf === undefined) return fetch(request, { credentials: 'same-origin' })
  const headers = new Headers(request.headers)
  headers.set(CSRF_HEADER, csrf)
  return fetch(new Request(request, { headers, credentials: 'same-origin' }))
}

let client: Taskforge | undefined

/** The SDK client of the signed-in session. */
export function tf(): Taskforge {
  if (!client) throw new Error('not signed in')
  return client
}

interface SessionAnswer {
  customer: string
  role: string
  name: string
  csrf_token: string
}

function open(body: SessionAnswer): Session {
  csrf = body.csrf_token
  client = createTaskforge({ url: location.origin, customer: body.customer, env: {}, fetch: consoleFetch })
  return { customer: body.customer, role: body.role, name: body.name }
}

/** The current session, if the browser holds one. */
export async function resume(): Promise<Session | undefined> {
  const answer = await fetch('/session', { credentials: 'same-origin' }).catch(() => undefined)
  if (!answer?.ok) return undefined
  return open((await answer.json()) as SessionAnswer)
}

/** Exchanges a token for an HttpOnly, SameSite=Strict session cookie. */
export async function signIn(token: string): Promise<Session> {
  const answer = await fetch('/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  })
  if (!answer.ok) {
    const body = (await answer.json().catch(() => ({}))) as { message?: string }
    throw new Error(body.message ?? `sign-in failed (${answer.status})`)
  }
  return open((await answer.json()) as SessionAnswer)
}

/** Ends the session on the gateway (its cookie is cleared) and forgets it here. */
export async function signOut(): Promise<void> {
  await consoleFetch('/session', { method: 'DELETE' }).catch(() => undefined)
  csrf = undefined
  client = undefined
}

/** What an error says to a person. */
export function messageOf(error: unknown): string {
  if (isTaskforgeError(error)) return `${error.message} (${error.status} ${error.code})`
  return error instanceof Error ? error.message : String(error)
}

export const ROLES = ['viewer', 'user', 'admin'] as const
/** Whether a role reaches another: viewer < user < admin. */
export function atLeast(role: string, wanted: (typeof ROLES)[number]): boolean {
  return ROLES.indexOf(role as (typeof ROLES)[number]) >= ROLES.indexOf(wanted)
}
