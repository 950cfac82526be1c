import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, type ScheduleFire as Fire, idOf, issueToken, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>

// Schedules end to end: the real gateway, services, Postgres, NATS and a bot running the jobs.
describe('schedules', () => {
  let platform: InProcessPlatform
  let quickTask: string
  let longTask: string

  async function createTask(name: string, content: string): Promise<string> {
    const { call, customer, adminToken, botId } = platform
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: `${name}.sh`, content },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      token: adminToken,
      json: { name, host_id: botId, script_id: idOf(script) },
    })
    return idOf(task)
  }

  async function createSchedule(taskId: string, body: Json): Promise<string> {
    const { call, customer, adminToken } = platform
    const answer = await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/schedule`, {
      token: adminToken,
      json: body,
    })
    return idOf(answer)
  }

  async function patch(scheduleId: string, body: Json): Promise<Json> {
    const { call, customer, adminToken } = platform
    return (
      await expectStatus(call, 200, 'PATCH', `/${customer}/schedule/${scheduleId}`, {
        token: adminToken,
        json: body,
      })
    ).body
  }

  async function firesOf(scheduleId: string): Promise<Fire[]> {
    const { call, customer, adminToken } = platform
    const answer = await expectStatus(
      call,
      200,
      'GET',
      `/${customer}/schedule/${scheduleId}/fires?limit=1000`,
      {
        token: adminToken,
      },
    )
    return (answer.json as Fire[]).slice().reverse()
  }

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    quickTask = await createTask('tick', '#!/bin/sh\necho tick\n')
    longTask = await createTask('long', '#!/bin/sh\nsleep 5\necho done\n')
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  })

  it('fires a per-second schedule exactly once per second across two scheduler replicas, one stopped mid-run', async () => {
    const replica = await platform.addSchedulerReplica()
    const id = await createSchedule(quickTask, { cron: '* * * * * *', overlap: 'allow_all' })
    await sleep(3_000)
    await replica.stop()
    await sleep(3_000)
    await patch(id, { enabled: false })
    const fires = await firesOf(id)
    const times = fires.map((fire) => Date.parse(fire.scheduled_for))
    expect(fires.length).toBeGreaterThanOrEqual(4)
    expect(new Set(times).size).toBe(times.length)
    // One fire per second, none skipped, none twice.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000)
    expect(fires.every((fire) => fire.outcome === 'started' && fire.kind === 'schedule')).toBe(true)
    const jobIds = new Set(fires.map((fire) => fire.job_id))
    expect(jobIds.size).toBe(fires.length)
    const { call, customer, adminToken } = platform
    const job = await expectStatus(call, 200, 'GET', `/${customer}/job/${fires[0]!.job_id}`, {
      token: adminToken,
    })
    expect(job.body).toMatchObject({ task_id: quickTask, origin: 'schedule' })
  }, 60_000)

  it('under skip, a fire while the long job runs is recorded skipped_overlap', async () => {
    const id = await createSchedule(longTask, { cron: '* * * * * *' })
    await sleep(3_500)
    await patch(id, { enabled: false })
    const fires = await firesOf(id)
    expect(fires[0]).toMatchObject({ outcome: 'started' })
    const skipped = fires.filter((fire) => fire.outcome === 'skipped_overlap')
    expect(skipped.length).toBeGreaterThanOrEqual(1)
    expect(skipped[0]!.reason).toMatch(/still running/)
    expect(fires.filter((fire) => fire.outcome === 'started')).toHaveLength(1)
    // A schedule's answer, alone or in a list, carries its latest fire (the fires list's first).
    const latest = fires.at(-1)
    const [one, listed] = await Promise.all([
      platform.call('GET', `/${platform.customer}/schedule/${id}`, { token: platform.adminToken }),
      platform.call('GET', `/${platform.customer}/task/${longTask}/schedule`, { token: platform.adminToken }),
    ])
    expect(one.body.last_fire).toEqual(latest)
    expect((listed.json as { id: string; last_fire: unknown }[]).find((s) => s.id === id)?.last_fire).toEqual(
      latest,
    )
  }, 60_000)

  it('a change made on a revision another change moved answers 412 (If-Match), and fires leave the revision', async () => {
    const { call, customer, adminToken } = platform
    const id = await createSchedule(quickTask, { cron: '* * * * * *', note: 'v1' })
    await sleep(2_200)
    const read = await call('GET', `/${customer}/schedule/${id}`, { token: adminToken })
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe('"1"')
    expect(read.body).toMatchObject({ revision: 1 })
    const first = await call('PATCH', `/${customer}/schedule/${id}`, {
      token: adminToken,
      headers: { 'if-match': '"1"' },
      json: { note: 'first' },
    })
    expect(first.status).toBe(200)
    expect(first.headers.get('etag')).toBe('"2"')
    const stale = await call('PATCH', `/${customer}/schedule/${id}`, {
      token: adminToken,
      headers: { 'if-match': '"1"' },
      json: { note: 'made on what was there before the first' },
    })
    expect(stale.status).toBe(412)
    expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED' })
    await patch(id, { enabled: false })
    const after = await call('GET', `/${customer}/schedule/${id}`, { token: adminToken })
    expect(after.body).toMatchObject({ note: 'first', revision: 3, enabled: false })
  }, 60_000)

  it('pause then resume fires no burst: what passed while paused is neither run nor listed', async () => {
    const id = await createSchedule(quickTask, {
      cron: '* * * * * *',
      enabled: false,
      note: 'paused at birth',
    })
    const paused = (
      await platform.call('GET', `/${platform.customer}/schedule/${id}`, { token: platform.adminToken })
    ).body
    expect(paused).toMatchObject({ state: 'paused', next_fire_at: null, note: 'paused at birth' })
    await sleep(3_000)
    const resumedAt = Date.now()
    const resumed = await patch(id, { enabled: true })
    expect(resumed).toMatchObject({ state: 'active' })
    await sleep(1_500)
    await patch(id, { enabled: false })
    const fires = await firesOf(id)
    expect(fires.length).toBeLessThanOrEqual(3)
    expect(fires.every((fire) => fire.outcome === 'started')).toBe(true)
    // Nothing from before the resume (allowing for the database's clock being a little off ours).
    for (const fire of fires) expect(Date.parse(fire.scheduled_for)).toBeGreaterThan(resumedAt - 1_000)
  }, 60_000)

  it('previews DST-correct times, triggers now and backfills a past range under the overlap policy', async () => {
    const { call, customer, adminToken } = platform
    const id = await createSchedule(quickTask, {
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      enabled: false,
    })
    const preview = await expectStatus(
      call,
      200,
      'GET',
      `/${customer}/schedule/${id}/preview?from=2026-03-28T12:00:00Z&count=2`,
      { token: adminToken },
    )
    expect(preview.body).toEqual({ times: ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'] })
    const trigger = await expectStatus(call, 200, 'POST', `/${customer}/schedule/${id}/trigger`, {
      token: adminToken,
    })
    expect(trigger.body).toMatchObject({ kind: 'trigger', outcome: 'started' })
    expect(typeof trigger.body.job_id).toBe('string')

    const minutely = await createSchedule(quickTask, {
      cron: '* * * * *',
      enabled: false,
      overlap: 'allow_all',
    })
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000)
    const from = new Date(to.getTime() - 2 * 60_000)
    const backfill = await expectStatus(call, 200, 'POST', `/${customer}/schedule/${minutely}/backfill`, {
      token: adminToken,
      json: { from: from.toISOString(), to: to.toISOString() },
    })
    expect((backfill.json as Fire[]).map((fire) => [fire.scheduled_for, fire.outcome])).toEqual([
      [from.toISOString(), 'started'],
      [new Date(from.getTime() + 60_000).toISOString(), 'started'],
      [to.toISOString(), 'started'],
    ])
    // The same range again fires nothing twice.
    const again = await expectStatus(call, 200, 'POST', `/${customer}/schedule/${minutely}/backfill`, {
      token: adminToken,
      json: { from: from.toISOString(), to: to.toISOString() },
    })
    expect(again.json).toEqual([])
  }, 60_000)

  it('answers hostile input with a 4xx saying what is wrong, and hides other organizations', async () => {
    const { call, customer, adminToken, rootToken } = platform
    const path = `/${customer}/task/${quickTask}/schedule`
    const refused = async (method: string, url: string, json?: Json, token = adminToken) => {
      const answer = await call(method, url, { token, ...(json === undefined ? {} : { json }) })
      expect(
        answer.status,
        `${method} ${url} ${JSON.stringify(json)}: ${answer.text}`,
      ).toBeGreaterThanOrEqual(400)
      expect(answer.status).toBeLessThan(500)
      expect(typeof answer.body.message).toBe('string')
      return answer
    }
    await refused('POST', path, { cron: 'every day' })
    await refused('POST', path, { cron: '61 * * * *' })
    await refused('POST', path, { cron: '* * * * * * * *' })
    await refused('POST', path, { cron: '* * * * *', timezone: 'Mars/Olympus_Mons' })
    await refused('POST', path, { cron: '* * * * *', overlap: 'sometimes' })
    await refused('POST', path, { cron: '* * * * *', jitter: -1 })
    await refused('POST', path, { cron: '* * * * *', catchup_window: 10 ** 9 })
    await refused('POST', path, { cron: '* * * * *', task_arguments: ['one too many'] })
    await refused('POST', path, {
      cron: '* * * * *',
      start_at: '2030-01-01T00:00:00Z',
      end_at: '2029-01-01T00:00:00Z',
    })
    await refused('POST', path, { cron: 'x'.repeat(10_000) })
    const id = await createSchedule(quickTask, { cron: '* * * * *', enabled: false })
    await refused('GET', `/${customer}/schedule/${id}/preview?count=100000`)
    await refused('POST', `/${customer}/schedule/${id}/backfill`, {
      from: '2000-01-01T00:00:00Z',
      to: '2020-01-01T00:00:00Z',
    })
    await refused('POST', `/${customer}/schedule/${id}/backfill`, {
      from: '2020-01-01T00:00:00Z',
      to: '2999-01-01T00:00:00Z',
    })
    await refused('PATCH', `/${customer}/schedule/${id}`, { cron: 'nope' })
    expect((await refused('GET', `/${customer}/schedule/not-a-schedule`)).status).toBe(404)

    // Another organization: its admin cannot see, schedule or fire ours.
    const other = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: rootToken,
      json: { name: 'rival' },
    })
    const rivalToken = idOf(other, 'admin_token')
    expect(
      (await refused('POST', `/rival/task/${quickTask}/schedule`, { cron: '* * * * *' }, rivalToken)).status,
    ).toBe(404)
    expect((await refused('GET', `/rival/schedule/${id}`, undefined, rivalToken)).status).toBe(404)
    expect((await refused('POST', `/rival/schedule/${id}/trigger`, undefined, rivalToken)).status).toBe(404)
    expect((await refused('GET', `/${customer}/schedule/${id}`, undefined, rivalToken)).status).toBe(404)

    // A viewer reads, never writes.
    const viewer = await issueToken(call, customer, adminToken, { name: 'watcher', role: 'viewer' })
    await expectStatus(call, 200, 'GET', `/${customer}/schedule/${id}`, { token: viewer.token })
    expect((await refused('POST', path, { cron: '* * * * *' }, viewer.token)).status).toBe(403)
    expect((await refused('DELETE', `/${customer}/schedule/${id}`, undefined, viewer.token)).status).toBe(403)
  }, 60_000)
})
