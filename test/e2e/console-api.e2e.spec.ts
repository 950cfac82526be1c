import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf, issueToken } from './support/fixtures.js'
import { type GatewayCall, gatewayClient } from './support/gateway-client.js'

const customer = 'demo'
const SIGN_INS_PER_MINUTE = 60
const STREAMS_PER_ORGANIZATION = 6

/** The session cookie's `name=value` from a Set-Cookie answer. */
function sessionCookieOf(headers: Headers): { pair: string; attributes: string } {
  const line = headers.getSetCookie().find((cookie) => cookie.startsWith('taskforge_session='))
  if (line === undefined) throw new Error(`no session cookie in ${JSON.stringify(headers.getSetCookie())}`)
  const [pair = '', ...rest] = line.split(';')
  return { pair: pair.trim(), attributes: rest.join(';') }
}

interface SseEvent {
  id: string
  event: string
  data: Record<string, unknown>
}

/** A live events stream read as the EventSource API reads it. */
async function openEvents(url: string, headers: Record<string, string>) {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const events: SseEvent[] = []
  const raw: string[] = []
  const waiters = new Set<() => void>()
  const done = (async () => {
    if (response.body === null || response.status !== 200) return
    const decoder = new TextDecoder()
    let text = ''
    try {
      for await (const chunk of response.body) {
        text += decoder.decode(chunk as Uint8Array, { stream: true })
        raw.push(decoder.decode(chunk as Uint8Array))
        let end = text.indexOf('\n\n')
        while (end >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
          )
          if (fields.event !== undefined)
            events.push({ id: fields.id ?? '', event: fields.event, data: JSON.parse(fields.data ?? '{}') })
          for (const wake of waiters) wake()
          end = text.indexOf('\n\n')
        }
      }
    } catch {
      // aborted
    }
  })()
  return {
    status: response.status,
    response,
    events,
    /** Waits until an event matches, within a generous bound. */
    async until(match: (event: SseEvent) => boolean, what: string, timeoutMs = 30_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events.find(match)
        if (found !== undefined) return found
        if (Date.now() > deadline)
          throw new Error(`no ${what} among ${JSON.stringify(events)} ${raw.join('').slice(0, 3000)}`)
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake)
            resolve()
          }
          waiters.add(wake)
          setTimeout(wake, 500)
        })
      }
    },
    async close() {
      controller.abort()
      await done
    },
  }
}

const finishedJob = (jobId: string) => (event: SseEvent) =>
  event.event === 'job' && event.data.id === jobId && event.data.type === 'job.finished'

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
      env: {
        GATEWAY_SIGN_INS_PER_MINUTE: String(SIGN_INS_PER_MINUTE),
        GATEWAY_EVENT_STREAMS_PER_ORGANIZATION: String(STREAMS_PER_ORGANIZATION),
      },
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
  })

  describe('live events', () => {
    const newTask = async (name: string, acls: string[]) =>
      idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task`, {
          token: admin,
          json: {
            name,
            host_id: botId,
            script_id: scriptId,
            acls,
            task_arguments: [{ order: 0, type: 'input', label: 'n' }],
          },
        }),
      )
    const run = async (taskId: string, n = 2) =>
      idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/job`, {
          token: admin,
          json: [String(n)],
        }),
      )

    it("streams a job's changes, hides an acl-hidden task's jobs from a viewer, and resumes with Last-Event-ID", async () => {
      const viewer = await issueToken(call, customer, admin, { name: 'watcher', role: 'viewer' })
      const adminStream = await openEvents(`${base}/${customer}/events`, { authorization: `Bearer ${admin}` })
      const viewerStream = await openEvents(`${base}/${customer}/events`, {
        authorization: `Bearer ${viewer.token}`,
      })
      const open = await newTask('sse open', [])
      const hidden = await newTask('sse hidden', ['nobody-here'])
      expect(adminStream.status).toBe(200)
      expect(viewerStream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)

      const hiddenJob = await run(hidden)
      const seenByAdmin = await adminStream.until(finishedJob(hiddenJob), 'hidden job finished (admin)')
      expect(seenByAdmin.data).toMatchObject({
        task_id: hidden,
        customer,
        lifecycle: 'finished',
        state: 'success',
      })
      const openJob = await run(open)
      await viewerStream.until(finishedJob(openJob), 'open job finished (viewer)')
      for (const type of ['job.queued', 'job.started'])
        expect(
          viewerStream.events.some((e) => e.data.id === openJob && e.data.type === type),
          type,
        ).toBe(true)
      expect(viewerStream.events.filter((e) => e.data.id === hiddenJob || e.data.task_id === hidden)).toEqual(
        [],
      )
      expect(adminStream.events.some((e) => e.data.id === hidden && e.data.type === 'task.created')).toBe(
        true,
      )
      expect(viewerStream.events.some((e) => e.data.id === open && e.data.type === 'task.created')).toBe(true)

      // The viewer goes away, a job runs, and the viewer comes back where it left.
      const last = viewerStream.events.at(-1)!.id
      await viewerStream.close()
      const missed = await run(open)
      await adminStream.until(finishedJob(missed), 'missed job finished (admin)')
      const resumed = await openEvents(`${base}/${customer}/events`, {
        authorization: `Bearer ${viewer.token}`,
        'last-event-id': last,
      })
      await resumed.until(finishedJob(missed), 'the missed job, replayed')
      expect(resumed.events.some((e) => e.data.id === missed && e.data.type === 'job.queued')).toBe(true)
      expect(resumed.events.every((e) => Number(e.id) > Number(last))).toBe(true)
      await resumed.close()
      // Resuming from before everything this gateway saw replays all of it (or resets, when it is gone).
      const fromStart = await openEvents(`${base}/${customer}/events?last_event_id=0`, {
        authorization: `Bearer ${admin}`,
      })
      await fromStart.until((e) => e.event === 'reset' || e.data.id === missed, 'replay from the start')
      await fromStart.close()
      await adminStream.close()
    })

    it("streams a schedule's changes and fires to those who see its task, and nothing of a hidden one", async () => {
      const viewer = await issueToken(call, customer, admin, { name: 'schedule-watcher', role: 'viewer' })
      const adminStream = await openEvents(`${base}/${customer}/events`, { authorization: `Bearer ${admin}` })
      const viewerStream = await openEvents(`${base}/${customer}/events`, {
        authorization: `Bearer ${viewer.token}`,
      })
      const open = await newTask('sse scheduled open', [])
      const hidden = await newTask('sse scheduled hidden', ['nobody-here'])
      // Once a year: only the triggers below fire them.
      const schedule = async (taskId: string) =>
        idOf(
          await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/schedule`, {
            token: admin,
            json: { cron: '0 0 1 1 *', task_arguments: ['1'], overlap: 'allow_all' },
          }),
        )
      const openSchedule = await schedule(open)
      const hiddenSchedule = await schedule(hidden)
      const fired = (scheduleId: string) => (event: SseEvent) =>
        event.event === 'schedule' && event.data.id === scheduleId && event.data.type === 'schedule.fired'
      for (const scheduleId of [openSchedule, hiddenSchedule])
        await expectStatus(call, 200, 'POST', `/${customer}/schedule/${scheduleId}/trigger`, { token: admin })

      const hiddenFire = await adminStream.until(fired(hiddenSchedule), 'hidden schedule fired (admin)')
      const fire = (
        await expectStatus(call, 200, 'GET', `/${customer}/schedule/${hiddenSchedule}/fires`, {
          token: admin,
        })
      ).json as { job_id: string; scheduled_for: string }[]
      expect(hiddenFire.data).toMatchObject({
        customer,
        task_id: hidden,
        outcome: 'started',
        kind: 'trigger',
        job_id: fire[0]!.job_id,
        scheduled_for: fire[0]!.scheduled_for,
      })
      await viewerStream.until(fired(openSchedule), 'open schedule fired (viewer)')
      expect(
        viewerStream.events.some(
          (e) => e.event === 'schedule' && e.data.id === openSchedule && e.data.type === 'schedule.created',
        ),
      ).toBe(true)

      // A deleted schedule is no longer known to its owner: its task is the one remembered from its creation.
      await expectStatus(call, 204, 'DELETE', `/${customer}/schedule/${openSchedule}`, { token: admin })
      await viewerStream.until(
        (e) => e.data.id === openSchedule && e.data.type === 'schedule.deleted',
        'open schedule deleted (viewer)',
      )
      await adminStream.until(fired(openSchedule), 'open schedule fired (admin)')
      expect(
        viewerStream.events.filter((e) => e.data.id === hiddenSchedule || e.data.task_id === hidden),
      ).toEqual([])
      await viewerStream.close()
      await adminStream.close()
    })

    it("streams a workflow run's nodes to those who see the workflow, and nothing of a hidden one", async () => {
      const viewer = await issueToken(call, customer, admin, { name: 'run-watcher', role: 'viewer' })
      const adminStream = await openEvents(`${base}/${customer}/events`, { authorization: `Bearer ${admin}` })
      const viewerStream = await openEvents(`${base}/${customer}/events`, {
        authorization: `Bearer ${viewer.token}`,
      })
      // The task is seen by all; the second workflow's acls hide it (and its runs) from the viewer.
      const task = await newTask('sse workflow step', [])
      const workflow = async (name: string, acls: string[]) =>
        idOf(
          await expectStatus(call, 201, 'POST', `/${customer}/workflow`, {
            token: admin,
            json: {
              name,
              acls,
              nodes: [
                { key: 'a', task, arguments: ['1'] },
                { key: 'b', task, arguments: ['2'] },
              ],
              edges: [{ from: 'a', to: 'b' }],
              start: 'a',
            },
          }),
        )
      const open = await workflow('sse workflow open', [])
      const hidden = await workflow('sse workflow hidden', ['nobody-here'])
      const runOf = async (workflowId: string) =>
        idOf(
          await expectStatus(call, 201, 'POST', `/${customer}/workflow/${workflowId}/job`, {
            token: admin,
            json: { task_arguments: [] },
          }),
        )
      const ended = (runId: string) => (event: SseEvent) =>
        event.event === 'workflow_run' && event.data.id === runId && event.data.type === 'workflow_run.ended'
      const hiddenRun = await runOf(hidden)
      expect((await adminStream.until(ended(hiddenRun), 'hidden run ended (admin)')).data).toMatchObject({
        workflow_id: hidden,
        state: 'success',
      })
      const openRun = await runOf(open)
      await viewerStream.until(ended(openRun), 'open run ended (viewer)')
      const nodes = viewerStream.events.filter((e) => e.data.id === openRun && e.data.node !== undefined)
      expect(nodes.map((e) => `${e.data.node} ${e.data.node_state}`)).toEqual([
        'a running',
        'a succeeded',
        'b running',
        'b succeeded',
      ])
      expect(nodes.every((e) => e.event === 'workflow_run' && e.data.workflow_id === open)).toBe(true)
      expect(
        viewerStream.events.some(
          (e) => e.event === 'workflow' && e.data.id === open && e.data.type === 'workflow.created',
        ),
      ).toBe(true)
      expect(
        viewerStream.events.filter(
          (e) => e.data.id === hidden || e.data.id === hiddenRun || e.data.workflow_id === hidden,
        ),
      ).toEqual([])
      // Opened to the viewer by a save of its acls, the workflow's next run reaches the viewer too.
      await expectStatus(call, 200, 'PATCH', `/${customer}/workflow/${hidden}`, {
        token: admin,
        json: { acls: [] },
      })
      const laterRun = await runOf(hidden)
      await viewerStream.until(ended(laterRun), 'a run of the workflow once shown (viewer)')
      await viewerStream.close()
      await adminStream.close()
    })

    it('takes the session cookie, and ends when the session does', async () => {
      const { token } = await issueToken(call, customer, admin, { name: 'cookie-watcher', role: 'viewer' })
      const signed = await call('POST', '/session', { json: { token } })
      const { pair } = sessionCookieOf(signed.headers)
      const stream = await openEvents(`${base}/${customer}/events`, { cookie: pair })
      expect(stream.status).toBe(200)
      const task = await newTask('sse cookie', [])
      const job = await run(task)
      await stream.until(finishedJob(job), 'job finished (cookie)')
      await stream.close()
    })

    it('refuses bad input and bounds streams per organization, leaving other organizations unharmed', async () => {
      for (const id of ['abc', '-1', '1e5', '9'.repeat(30)]) {
        const answer = await fetch(`${base}/${customer}/events`, {
          headers: { authorization: `Bearer ${admin}`, 'last-event-id': id },
        })
        expect(answer.status, id).toBe(400)
        expect(((await answer.json()) as { message: string }).message).toMatch(/last-event-id/i)
      }
      expect((await fetch(`${base}/${customer}/events`)).status).toBe(401)
      const other = await expectStatus(call, 201, 'POST', '/admin/customers', {
        token: platform.rootToken,
        json: { name: 'initech' },
      })
      const otherAdmin = idOf(other, 'admin_token')
      expect(
        (await fetch(`${base}/${customer}/events`, { headers: { authorization: `Bearer ${otherAdmin}` } }))
          .status,
      ).toBe(404)

      const streams = []
      const initech = `${base}/initech/events`
      for (let i = 0; i < STREAMS_PER_ORGANIZATION; i += 1)
        streams.push(await openEvents(initech, { authorization: `Bearer ${otherAdmin}` }))
      expect(streams.map((s) => s.status)).toEqual(streams.map(() => 200))
      const refused = await Promise.all(
        Array.from({ length: 200 }, () =>
          fetch(initech, { headers: { authorization: `Bearer ${otherAdmin}` } }),
        ),
      )
      expect(new Set(refused.map((answer) => answer.status))).toEqual(new Set([429]))
      expect(((await refused[0]!.json()) as { message: string }).message).toMatch(
        /event streams per organization/,
      )
      const ours = await openEvents(`${base}/${customer}/events`, { authorization: `Bearer ${admin}` })
      expect(ours.status).toBe(200)
      await ours.close()
      await Promise.all(streams.map((s) => s.close()))
      // Closed streams make room again.
      await expect
        .poll(
          async () => {
            const again = await fetch(`${base}/${customer}/events`, {
              headers: { authorization: `Bearer ${admin}` },
            })
            await again.body?.cancel()
            return again.status
          },
          { timeout: 10_000 },
        )
        .toBe(200)
    })
  })

  describe('logs in ranges and bots', () => {
    it("answers a range of a long log's lines, its tail and the total, within bounds", async () => {
      const task = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task`, {
          token: admin,
          json: {
            name: 'long log',
            host_id: botId,
            script_id: scriptId,
            task_arguments: [{ order: 0, type: 'input', label: 'n' }],
          },
        }),
      )
      const job = idOf(
        await expectStatus(call, 200, 'POST', `/${customer}/task/${task}/job?wait_result=true`, {
          token: admin,
          json: ['2500'],
        }),
      )
      const path = `/${customer}/job/${job}/log`
      const tail = await expectStatus(call, 200, 'GET', `${path}?tail=3`, { token: admin })
      expect(tail.body).toEqual({
        offset: 2497,
        lines: ['line 2498', 'line 2499', 'line 2500'],
        total_lines: 2500,
        complete: true,
      })
      expect(tail.headers.get('x-taskforge-total-lines')).toBe('2500')
      const range = await expectStatus(call, 200, 'GET', `${path}?offset=10&limit=2`, { token: admin })
      expect(range.body).toMatchObject({ offset: 10, lines: ['line 11', 'line 12'], total_lines: 2500 })
      const past = await expectStatus(call, 200, 'GET', `${path}?offset=99999&limit=5`, { token: admin })
      expect(past.body).toMatchObject({ offset: 2500, lines: [] })
      for (const query of [
        'tail=0',
        'tail=10001',
        'limit=100000',
        'offset=-1',
        'offset=x',
        'tail=3&offset=1',
        'tail=3&follow=true',
        'limit=3&raw=true',
      ]) {
        const answer = await call('GET', `${path}?${query}`, { token: admin })
        expect([400, 422], `${query}: ${answer.text}`).toContain(answer.status)
      }
      // The text form is unchanged.
      const text = await expectStatus(call, 200, 'GET', path, { token: admin })
      expect(text.text.split('\n')).toHaveLength(2501)
    })

    it('lists bots with presence and the jobs each runs', async () => {
      const bots = await expectStatus(call, 200, 'GET', `/${customer}/bot`, { token: admin })
      const local = (bots.json as Record<string, unknown>[]).find((bot) => bot.id === botId)
      expect(local).toMatchObject({ online: true, running: [] })
      expect(typeof local?.last_seen).toBe('string')
    })
  })

  describe('jobs for the console', () => {
    it('pages through jobs with an opaque cursor and filters by origin, bot and time', async () => {
      const task = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task`, {
          token: admin,
          json: {
            name: 'paged',
            host_id: botId,
            script_id: scriptId,
            task_arguments: [{ order: 0, type: 'input', label: 'n' }],
          },
        }),
      )
      const started = new Date().toISOString()
      const ids: string[] = []
      for (let i = 0; i < 5; i += 1)
        ids.push(
          idOf(
            await expectStatus(call, 201, 'POST', `/${customer}/task/${task}/job`, {
              token: admin,
              json: ['1'],
            }),
          ),
        )
      const seen: string[] = []
      let path: string | undefined = `/${customer}/job?task=${task}&limit=2`
      let pages = 0
      while (path !== undefined) {
        const page = await expectStatus(call, 200, 'GET', path, { token: admin })
        pages += 1
        seen.push(...(page.json as { id: string }[]).map((job) => job.id))
        const next = page.headers.get('x-next-cursor')
        const link = page.headers.get('link')
        if (next === null) {
          expect(link).toBeNull()
          path = undefined
        } else {
          expect(link).toMatch(new RegExp(`^</${customer}/job\\?.*cursor=${next}.*>; rel="next"$`))
          path = link!.slice(1, link!.indexOf('>'))
        }
      }
      expect(pages).toBe(3)
      expect(seen).toEqual([...ids].reverse())

      const filtered = async (query: string) =>
        (
          (await expectStatus(call, 200, 'GET', `/${customer}/job?task=${task}&${query}`, { token: admin }))
            .json as {
            id: string
          }[]
        ).map((job) => job.id)
      expect(await filtered('origin=api')).toHaveLength(5)
      expect(await filtered('origin=trigger')).toEqual([])
      expect(await filtered(`bot=${botId}`)).toHaveLength(5)
      expect(await filtered(`created_after=${encodeURIComponent(started)}`)).toHaveLength(5)
      expect(await filtered(`created_before=${encodeURIComponent(started)}`)).toEqual([])
      expect(await filtered('created_after=2999-01-01T00:00:00Z')).toEqual([])

      for (const query of [
        'cursor=bogus',
        'cursor=W10',
        'created_after=yesterday',
        'created_before=2026-13-45T00:00:00Z',
        `cursor=${'a'.repeat(400)}`,
      ]) {
        const answer = await call('GET', `/${customer}/job?${query}`, { token: admin })
        expect([400, 422], `${query}: ${answer.text}`).toContain(answer.status)
      }
    })
  })

  describe('why a job waits', () => {
    it('says a job waits for an offline bot, and a started job has no reason', async () => {
      const sleeper = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/bot`, {
          token: admin,
          json: { name: 'never-started' },
        }),
      )
      const task = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task`, {
          token: admin,
          json: { name: 'waits', host_id: sleeper, script_id: scriptId },
        }),
      )
      const job = idOf(
        await expectStatus(call, 201, 'POST', `/${customer}/task/${task}/job`, { token: admin }),
      )
      const waiting = await expectStatus(call, 200, 'GET', `/${customer}/job/${job}`, { token: admin })
      expect(waiting.body).toMatchObject({
        waiting_reason: { code: 'bot_offline', message: 'its bot never-started is offline' },
      })
      await expectStatus(call, 200, 'PUT', `/${customer}/job/${job}/cancel`, { token: admin, json: {} })
      const canceled = await expectStatus(call, 200, 'GET', `/${customer}/job/${job}`, { token: admin })
      expect(canceled.body.waiting_reason).toBeUndefined()
    })
  })
  it('says until when a triggered run is on hold, from the grace time the scheduler set', async () => {
    const source = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name: 'hold source', host_id: botId, script_id: scriptId },
      }),
    )
    const held = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: {
          name: 'held',
          host_id: botId,
          script_id: scriptId,
          grace_time: 600,
          triggers: [{ task_id: source, event: 'success' }],
        },
      }),
    )
    await expectStatus(call, 200, 'POST', `/${customer}/task/${source}/job?wait_result=true`, {
      token: admin,
      json: [],
    })
    const job = await waitUntil(
      async () => {
        const jobs = await expectStatus(call, 200, 'GET', `/${customer}/job?task=${held}`, { token: admin })
        return (
          (jobs.json as { id: string; lifecycle: string }[]).find((one) => one.lifecycle === 'onhold') ??
          false
        )
      },
      { timeoutMs: 30_000, message: 'the triggered run on hold' },
    )
    const answer = await expectStatus(call, 200, 'GET', `/${customer}/job/${job.id}`, { token: admin })
    const reason = answer.body.waiting_reason as { code: string; message: string; until: string }
    expect(reason.code).toBe('on_hold')
    expect(new Date(reason.until).toISOString()).toBe(reason.until)
    expect(reason.message).toContain(`on hold until ${reason.until}`)
    // The hold's due time is the run's creation plus the task's grace time (600 s), as the scheduler set it.
    const heldFor = Date.parse(reason.until) - Date.parse(String(answer.body.creation_date))
    expect(heldFor).toBeGreaterThan(590_000)
    expect(heldFor).toBeLessThanOrEqual(600_000)
    await expectStatus(call, 200, 'PUT', `/${customer}/job/${job.id}/cancel`, { token: admin, json: {} })
  })

  describe('sign-in attempts', () => {
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
