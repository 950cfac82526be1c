import { createTaskforge, isTaskforgeError, type Taskforge } from '@taskforge/sdk'

/** What the gateway says about the signed-in caller. */
export interface Session {
  customer: string
  role: string
  name?: string
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** The header the gateway wants on unsafe requests of a cookie session (double-submit of a token it gave). */
let csrf: { header: string; value: string } | undefined
/**
 * When the gateway has no session route, the token is held in this module's memory only (never in
 * web storage): a reload asks for it again.
 */
let bearer: string | undefined

const consoleFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init)
  const headers = new Headers(request.headers)
  if (UNSAFE.has(request.method) && csrf) headers.set(csrf.header, csrf.value)
  if (bearer) headers.set('authorization', `Bearer ${bearer}`)
  return fetch(new Request(request, { headers, credentials: 'same-origin' }))
}

let client: Taskforge | undefined

/** The SDK client of the signed-in session. */
export function tf(): Taskforge {
  if (!client) throw new Error('not signed in')
  return client
}

export function customer(): string {
  return tf().customer
}

function open(session: Session): Session {
  client = createTaskforge({ url: location.origin, customer: session.customer, env: {}, fetch: consoleFetch })
  return session
}

interface SessionAnswer {
  customer?: string
  role?: string
  name?: string
  csrf_token?: string
  csrf_header?: string
  token?: { name?: string; role?: string }
}

function sessionOf(body: SessionAnswer): Session {
  if (body.csrf_token) csrf = { header: body.csrf_header ?? 'x-csrf-token', value: body.csrf_token }
  return {
    customer: body.customer ?? '',
    role: body.role ?? body.token?.role ?? 'viewer',
    ...((body.name ?? body.token?.name) ? { name: body.name ?? body.token?.name } : {}),
  }
}

/** The current session, if the browser holds one. */
export async function resume(): Promise<Session | undefined> {
  const answer = await fetch('/session', { credentials: 'same-origin' }).catch(() => undefined)
  if (!answer?.ok) return undefined
  return open(sessionOf((await answer.json()) as SessionAnswer))
}

/**
 * Exchanges a token for an HttpOnly session cookie. `customer` is needed only when the gateway
 * cannot tell the organization from the token.
 */
export async function signIn(token: string, customerName: string): Promise<Session> {
  const answer = await fetch('/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, ...(customerName ? { customer: customerName } : {}) }),
  })
  if (
    answer.status === 404 &&
    (
      await answer
        .clone()
        .json()
        .catch(() => ({}))
    ).code !== 'UNAUTHORIZED'
  ) {
    // A gateway without sessions: keep the token in memory and check it on a route every role may use.
    if (!customerName) throw new Error('this gateway needs the organization beside the token')
    bearer = token
    const probe = await consoleFetch(`/${encodeURIComponent(customerName)}/task`)
    if (!probe.ok) {
      bearer = undefined
      throw new Error(probe.status === 401 ? 'this token is not valid' : `sign-in failed (${probe.status})`)
    }
    const role = await roleByProbe(customerName)
    return open({ customer: customerName, role })
  }
  if (!answer.ok) {
    const body = (await answer.json().catch(() => ({}))) as { message?: string }
    throw new Error(body.message ?? `sign-in failed (${answer.status})`)
  }
  return open(sessionOf((await answer.json()) as SessionAnswer))
}

/** The role of a bearer token, by what it may do: reading tokens needs admin, running a task user. */
async function roleByProbe(customerName: string): Promise<string> {
  const org = `/${encodeURIComponent(customerName)}`
  if ((await consoleFetch(`${org}/token`)).ok) return 'admin'
  // A run of a task that does not exist: 404 for a user, 403 for a viewer; nothing runs either way.
  const run = await consoleFetch(`${org}/task/00000000-0000-0000-0000-000000000000/job`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"task_arguments":[]}',
  })
  return run.status === 403 ? 'viewer' : 'user'
}

export async function signOut(): Promise<void> {
  if (!bearer) await consoleFetch('/session', { method: 'DELETE' }).catch(() => undefined)
  bearer = undefined
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
