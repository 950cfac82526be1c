import { expect } from 'vitest'
import type { Answer, CallOptions, GatewayCall } from './gateway-client.js'

/** Calls the gateway and insists on one status, showing the answer when it differs. */
export async function expectStatus(
  call: GatewayCall,
  status: number,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const answer = await call(method, path, options)
  expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 500)}`).toBe(status)
  return answer
}

/** A field of a JSON answer that must be a non-empty string. */
export function idOf(answer: Pick<Answer, 'body'>, field = 'id'): string {
  const value = answer.body[field]
  if (typeof value !== 'string' || value === '')
    throw new Error(`no ${field} in ${JSON.stringify(answer.body)}`)
  return value
}

export interface IssuedToken {
  id: string
  name: string
  token: string
}

/** Issues an integration token with an admin token. */
export async function issueToken(
  call: GatewayCall,
  customer: string,
  adminToken: string,
  body: { name: string; role: string; tags?: string[] },
): Promise<IssuedToken> {
  const answer = await expectStatus(call, 201, 'POST', `/${customer}/token`, {
    token: adminToken,
    json: body,
  })
  return { id: idOf(answer), name: body.name, token: idOf(answer, 'token') }
}

/** Polls a job until it has ended (finished, terminated or canceled), within a generous bound. */
export async function jobEnded(
  call: GatewayCall,
  customer: string,
  token: string,
  jobId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await expectStatus(call, 200, 'GET', `/${customer}/job/${jobId}`, { token })
    if (['finished', 'terminated', 'canceled'].includes(String(answer.body.lifecycle))) return answer.body
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end: ${answer.text}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** One fire of a schedule as `GET /:customer/schedule/:id/fires` lists it. */
export interface ScheduleFire extends Record<string, unknown> {
  scheduled_for: string
  outcome: string
  kind: string
  job_id: string | null
  reason: string
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
