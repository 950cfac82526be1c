import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

const customer = 'demo'
const SIGN_INS_PER_MINUTE = 60

/** The session cookie's `name=value` from a Set-Cookie answer. */
function sessionCookieOf(headers: Headers): { pair: string; attributes: string } {
  const line = headers.getSetCookie().find((cookie) => cookie.startsWith('taskforge_session='))
  if (line === undefined) throw new Error(`no session cookie in ${JSON.stringify(headers.getSetCookie())}`)
  const [pair = '', ...rest] = line.split(';')
  return { pair: pair.trim(), attributes: rest.join(';') }
}

// The gateway's side of the console (decision 26) against a real platform: sessions, the live
// events stream, the jobs list's filters and pages, log ranges and bot presence.
describe('console API', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let base: string
  let admin: string
  let botId: string
  let scriptId: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-console-api-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      env: { GATEWAY_SIGN_INS_PER_MINUTE: String(SIGN_INS_PER_MINUTE) },
    })
    base = platform.credentials.gateway_url
    call = gatewayClient(base)
    admin = platform.credentials.admin_token
    botId = platform.credentials.bot.id
    scriptId = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: {
          filename: 'lines.sh',
          content: 'i=0; while [ $i -lt "${1:-3}" ]; do i=$((i+1)); echo "line $i"; done\n',
        },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  describe('sessions', () => {
    const signIn = (token: string, headers: Record<string, string> = {}) =>
      call('POST', '/session', { json: { token }, headers })

    it('exchanges a token for an HttpOnly, SameSite=Strict cookie that authenticates like the token', async () => {
      const { token } = await issueToken(call, customer, admin, {
        name: 'sam',
        role: 'user',
        tags: ['team:ops'],
      })
      const answer = await signIn(token)
      expect(answer.status, answer.text).toBe(201)
      expect(answer.body).toMatchObject({ customer, role: 'user', name: 'sam', tags: ['team:ops'] })
      expect(answer.text).not.toContain(token)
      const { pair, attributes } = sessionCookieOf(answer.headers)
      expect(attributes).toMatch(/HttpOnly/i)
      expect(attributes).toMatch(/SameSite=Strict/i)
      expect(attributes).toMatch(/Path=\//i)
      expect(attributes).not.toMatch(/Secure/i)
      const csrf = String(answer.body.csrf_token)

      const who = await expectStatus(call, 200, 'GET', '/session', { headers: { cookie: pair } })
      expect(who.body).toMatchObject({ customer, role: 'user', name: 'sam', csrf_token: csrf })
      await expectStatus(call, 200, 'GET', `/${customer}/task`, { headers: { cookie: pair } })
      // Same role checks as the token: a user may not create tokens.
      await expectStatus(call, 403, 'POST', `/${customer}/token`, {
        headers: { cookie: pair, 'x-taskforge-csrf': csrf },
        json: { name: 'x', role: 'admin' },
      })
    })

    it('refuses a cookie-authenticated unsafe request without the CSRF header or from another origin', async () => {
      const { token } = await issueToken(call, customer, admin, { name: 'csrf-admin', role: 'admin' })
      const answer = await signIn(token)
      const { pair } = sessionCookieOf(answer.headers)
      const csrf = String(answer.body.csrf_token)
      const body = { filename: 'c.sh', content: 'echo c\n' }
      const noHeader = await expectStatus(call, 403, 'POST', `/${customer}/script`, {
        headers: { cookie: pair },
        json: body,
      })
      expect(noHeader.body.message).toMatch(/x-taskforge-csrf/)
      await expectStatus(call, 403, 'POST', `/${customer}/script`, {
        headers: { cookie: pair, 'x-taskforge-csrf': 'forged' },
        json: body,
      })
      await expectStatus(call, 403, 'POST', `/${customer}/script`, {
        headers: { cookie: pair, 'x-taskforge-csrf': csrf, origin: 'https://evil.example' },
        json: body,
      })
      // A form post (what a cross-site page can send) is refused too.
      await expectStatus(call, 403, 'POST', `/${customer}/script`, {
        headers: { cookie: pair },
        raw: { body: 'filename=c.sh&content=echo', contentType: 'application/x-www-form-urlencoded' },
      })
      await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        headers: { cookie: pair, 'x-taskforge-csrf': csrf, origin: base },
        json: body,
      })
      // A bearer token needs no CSRF header: it is not sent by the browser on its own.
      await expectStatus(call, 201, 'POST', `/${customer}/script`, { token, json: body })
    })

    it('ends a session for good on sign-out and on the token being revoked', async () => {
      const issued = await issueToken(call, customer, admin, { name: 'leaver', role: 'viewer' })
      const first = await signIn(issued.token)
      const second = await signIn(issued.token)
      const a = sessionCookieOf(first.headers).pair
      const b = sessionCookieOf(second.headers).pair
      await expectStatus(call, 403, 'DELETE', '/session', { headers: { cookie: a } })
      await expectStatus(call, 204, 'DELETE', '/session', {
        headers: { cookie: a, 'x-taskforge-csrf': String(first.body.csrf_token) },
      })
      await expectStatus(call, 401, 'GET', '/session', { headers: { cookie: a } })
      await expectStatus(call, 401, 'GET', `/${customer}/task`, { headers: { cookie: a } })
      await expectStatus(call, 200, 'GET', `/${customer}/task`, { headers: { cookie: b } })
      await expectStatus(call, 204, 'DELETE', `/${customer}/token/${issued.id}`, { token: admin })
      await expectStatus(call, 401, 'GET', `/${customer}/task`, { headers: { cookie: b } })
      await expectStatus(call, 401, 'GET', '/session', { headers: { cookie: b } })
    })

    it('answers bad sign-ins and forged or huge cookies with 4xx', async () => {
      await expectStatus(call, 401, 'POST', '/session', { json: { token: 'not-a-token' } })
      await expectStatus(call, 403, 'POST', '/session', { json: { token: platform.rootToken } })
      for (const json of [{}, { token: 'x'.repeat(5_000) }, { token: 'a', more: 1 }, []]) {
        const answer = await call('POST', '/session', { json })
        expect([400, 422], answer.text).toContain(answer.status)
      }
      await expectStatus(call, 403, 'POST', '/session', {
        raw: { body: `token=${admin}`, contentType: 'application/x-www-form-urlencoded' },
      })
      await expectStatus(call, 403, 'POST', '/session', {
        json: { token: admin },
        headers: { origin: 'https://evil.example' },
      })
      for (const cookie of [
        'taskforge_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        'taskforge_session=%00%ff',
        `taskforge_session=${'x'.repeat(8_000)}`,
      ]) {
        await expectStatus(call, 401, 'GET', `/${customer}/task`, { headers: { cookie } })
        await expectStatus(call, 401, 'GET', '/session', { headers: { cookie } })
      }
      const huge = await fetch(`${base}/${customer}/task`, {
        headers: { cookie: `taskforge_session=${'x'.repeat(40_000)}` },
      })
      expect(huge.status).toBe(431)
      // The organization still answers its own token.
      await expectStatus(call, 200, 'GET', `/${customer}/task`, { token: admin })
    })

    it('bounds the sessions one token holds: the oldest ends', async () => {
      const issued = await issueToken(call, customer, admin, { name: 'many', role: 'viewer' })
      const first = sessionCookieOf((await signIn(issued.token)).headers).pair
      for (let i = 0; i < 20; i += 1) await signIn(issued.token)
      await expectStatus(call, 401, 'GET', '/session', { headers: { cookie: first } })
    })

    it('bounds sign-ins per client address (429 naming the quota)', async () => {
      let refused: Record<string, unknown> | undefined
      for (let i = 0; i <= SIGN_INS_PER_MINUTE && refused === undefined; i += 1) {
        const answer = await call('POST', '/session', { json: { token: `guess-${i}` } })
        if (answer.status === 429) refused = answer.body
        else expect(answer.status).toBe(401)
      }
      expect(refused?.message).toMatch(/sign-ins per client address per minute/)
      await expectStatus(call, 200, 'GET', `/${customer}/task`, { token: admin })
    })
  })
})
