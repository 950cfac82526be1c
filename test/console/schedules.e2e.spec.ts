import { join } from 'node:path'
import { waitUntil } from '@taskforge/testkit'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConsolePlatform,
  type Json,
  SHOTS,
  startConsolePlatform,
  UI_TIMEOUT,
} from './console-platform.js'

// Schedules in the console, in a real browser against a real platform and bot: an admin makes one
// from a task's page, watches it fire, pauses, resumes, edits and deletes it; a viewer only reads.
describe('web console: schedules', () => {
  let browser: Browser
  let page: Page
  let customer: string
  let token: string
  let gateway: string
  let taskId: string

  let ui: ConsolePlatform
  const call: ConsolePlatform['call'] = (...args) => ui.call(...args)
  const createTask: ConsolePlatform['createTask'] = (...args) => ui.createTask(...args)
  const signIn: ConsolePlatform['signIn'] = (...args) => ui.signIn(...args)

  async function scheduleOf(id: string) {
    return call('GET', `/${customer}/schedule/${id}`)
  }

  /** The id of the schedule the page shows (the last part of its place). */
  const shownScheduleId = () => decodeURIComponent(new URL(page.url()).hash.split('/').at(-1)!.split('?')[0]!)

  beforeAll(async () => {
    ui = await startConsolePlatform({ name: 'console-schedules-e2e', viewport: { width: 1280, height: 900 } })
    ;({ browser, page, customer, token, gateway } = ui)
    taskId = await createTask('nightly-report', '#!/bin/sh\necho "report: $*"\n', {
      task_arguments: [
        { order: 0, type: 'fixed', label: 'mode', value: '--loud' },
        { order: 1, type: 'input', label: 'who', required: true },
        { order: 2, type: 'select', label: 'colour', options: ['red', 'blue'], required: true },
      ],
    })
  }, 180_000)

  afterAll(async () => {
    await ui?.stop()
  })

  let scheduleId: string

  it('creates a schedule from the task page with arguments, showing what the form and the server refuse', async () => {
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    await page.getByRole('heading', { name: 'nightly-report', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('schedules').getByText('No schedule.').waitFor({ timeout: UI_TIMEOUT })
    await page.getByRole('button', { name: 'New schedule' }).click()
    const form = page.getByRole('form', { name: 'New schedule' })

    // Checked before anything is sent: the zone, the cron's fields, the required argument.
    await form.getByLabel(/^Cron/).fill('* * *')
    await form.getByLabel(/^Time zone/).fill('Mars/Olympus')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await form.getByText(/Cron has 5 fields .* not 3/).waitFor()
    await form.getByText('Mars/Olympus is not an IANA time zone (as Europe/Berlin or UTC)').waitFor()
    await form.getByText('who is required').waitFor()

    // Five fields, but no valid cron: the server's 4xx message is shown beside the form.
    await form.getByLabel(/^Cron/).fill('99 * * * *')
    await form.getByLabel(/^Time zone/).fill('Europe/Berlin')
    await form.getByLabel(/^who/).fill('world')
    await form.getByLabel(/^colour/).selectOption('blue')
    await form.getByLabel(/^Overlap/).selectOption('allow_all')
    await form.getByLabel(/^Note/).fill('every minute')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await form
      .getByRole('alert')
      .filter({ hasText: /\(4\d\d [A-Z_]+\)/ })
      .waitFor({ timeout: UI_TIMEOUT })
    expect((await call('GET', `/${customer}/task/${taskId}/schedule`)).json).toEqual([])

    await form.getByLabel(/^Cron/).fill('* * * * *')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await page.getByRole('heading', { name: 'Schedule * * * * *' }).waitFor({ timeout: UI_TIMEOUT })
    scheduleId = shownScheduleId()
    const saved = await scheduleOf(scheduleId)
    expect(saved.status).toBe(200)
    // Fixed arguments are the task's, not the schedule's: it keeps what a run is sent.
    expect(saved.body).toMatchObject({
      task_id: taskId,
      cron: '* * * * *',
      timezone: 'Europe/Berlin',
      task_arguments: ['world', 'blue'],
      overlap: 'allow_all',
      note: 'every minute',
      state: 'active',
    })

    // The next ten fire times, one minute apart, as the server computes them.
    const preview = page.getByTestId('preview').locator('li')
    await waitUntil(async () => (await preview.count()) === 10, {
      timeoutMs: UI_TIMEOUT,
      message: 'ten fire times in the preview',
    })
    const times = (await preview.getByTestId('preview-instant').allTextContents()).map(Date.parse)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(60_000)
    // Each is shown on the schedule's own wall clock: Berlin is an hour ahead of UTC in December.
    const first = new Date(times[0]!)
    const berlinHour = String((first.getUTCHours() + 1) % 24).padStart(2, '0')
    expect(await preview.first().textContent()).toMatch(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2} ${berlinHour}:\\d{2}:00 GMT\\+1 `),
    )
  })

  it('shows a fire as it happens, with its job, and the stream says so', async () => {
    // The events stream carries schedule events: read it as the page does.
    const abort = new AbortController()
    const stream = await fetch(`${gateway}/${customer}/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    })
    expect(stream.status).toBe(200)
    const giveUp = setTimeout(() => abort.abort(), UI_TIMEOUT)
    const reader = stream.body!.getReader()
    let text = ''
    const sawFire = (async () => {
      const decoder = new TextDecoder()
      while (!/event: schedule\ndata: \{[^\n]*"type":"schedule.fired"[^\n]*"outcome":"started"/.test(text)) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value, { stream: true })
      }
    })()

    await page.getByRole('button', { name: 'Trigger now' }).click()
    await page.getByRole('status').getByText('Triggered: started').waitFor({ timeout: UI_TIMEOUT })
    const fires = page.getByTestId('fires')
    await fires.getByTestId('fire-job').first().waitFor({ timeout: UI_TIMEOUT })
    await fires.getByText('trigger', { exact: true }).first().waitFor({ timeout: UI_TIMEOUT })
    await sawFire
    clearTimeout(giveUp)
    abort.abort()
    expect(text).toContain(`"id":"${scheduleId}"`)
    expect(text).toContain(`"task_id":"${taskId}"`)

    // A fire made elsewhere reaches the page without a reload.
    const before = await fires.getByTestId('fire-job').count()
    const elsewhere = await call('POST', `/${customer}/schedule/${scheduleId}/trigger`)
    expect(elsewhere.body).toMatchObject({ outcome: 'started', kind: 'trigger' })
    await waitUntil(async () => (await fires.getByTestId('fire-job').count()) > before, {
      timeoutMs: UI_TIMEOUT,
      message: 'the second fire on the page',
    })
    await page.getByRole('status').getByText('Triggered: started').waitFor()
    await page.screenshot({ path: join(SHOTS, 'schedule.png'), fullPage: true })

    // The job link opens the job the fire started, with the schedule's arguments after the fixed one.
    await fires.getByTestId('fire-job').last().click()
    await page.getByRole('heading', { name: /^Job / }).waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('job-state').getByText('success').waitFor({ timeout: UI_TIMEOUT })
    await expect(page.getByTestId('job-arguments').textContent()).resolves.toBe(
      JSON.stringify(['--loud', 'world', 'blue']),
    )
    await page.getByTestId('log').getByText('report: --loud world blue').waitFor({ timeout: UI_TIMEOUT })
  })

  it('lists the schedule for the organization and on its task, with its last fire', async () => {
    await page.getByRole('link', { name: 'Schedules', exact: true }).click()
    await page.getByRole('heading', { name: 'Schedules' }).waitFor({ timeout: UI_TIMEOUT })
    const list = page.getByTestId('schedules')
    await list.getByRole('link', { name: 'nightly-report' }).waitFor({ timeout: UI_TIMEOUT })
    await list.getByText('Europe/Berlin').waitFor()
    await list.getByTestId('schedule-state').getByText('active').waitFor()
    await list.getByText('started').first().waitFor({ timeout: UI_TIMEOUT })
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    const section = page.getByTestId('schedules')
    await section.getByText('started').first().waitFor({ timeout: UI_TIMEOUT })
    await section.getByRole('link', { name: '* * * * *' }).click()
    await page.getByRole('heading', { name: 'Schedule * * * * *' }).waitFor({ timeout: UI_TIMEOUT })
  })

  it('pauses with a note and resumes', async () => {
    const actions = page.getByRole('group', { name: 'Schedule actions' })
    await actions.getByLabel('Note').fill('paused for maintenance')
    await actions.getByRole('button', { name: 'Pause' }).click()
    await page.getByTestId('schedule-state').getByText('paused').waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('schedule-note').getByText('paused for maintenance').waitFor()
    expect((await scheduleOf(scheduleId)).body).toMatchObject({
      enabled: false,
      state: 'paused',
      note: 'paused for maintenance',
    })
    await actions.getByRole('button', { name: 'Resume' }).click()
    await page.getByTestId('schedule-state').getByText('active').waitFor({ timeout: UI_TIMEOUT })
    expect((await scheduleOf(scheduleId)).body).toMatchObject({ enabled: true, state: 'active' })
  })

  it('edits it, the form filled with what it holds', async () => {
    await page.getByRole('button', { name: 'Edit' }).click()
    const form = page.getByRole('form', { name: 'Edit schedule' })
    await expect(form.getByLabel(/^Cron/).inputValue()).resolves.toBe('* * * * *')
    await expect(form.getByLabel(/^who/).inputValue()).resolves.toBe('world')
    await expect(form.getByLabel(/^colour/).inputValue()).resolves.toBe('blue')
    await form.getByLabel(/^Cron/).fill('*/5 * * * *')
    await form.getByLabel(/^who/).fill('everyone')
    await form.getByLabel(/^Jitter/).fill('7')
    await form.getByRole('button', { name: 'Save' }).click()
    await page.getByTestId('schedule-cron').getByText('*/5 * * * *').waitFor({ timeout: UI_TIMEOUT })
    expect(await page.getByRole('form', { name: 'Edit schedule' }).count()).toBe(0)
    expect((await scheduleOf(scheduleId)).body).toMatchObject({
      cron: '*/5 * * * *',
      task_arguments: ['everyone', 'blue'],
      jitter: 7,
      timezone: 'Europe/Berlin',
    })
    // The preview follows the new cron: five minutes apart.
    const preview = page.getByTestId('preview').getByTestId('preview-instant')
    await waitUntil(
      async () => {
        const times = (await preview.allTextContents()).map(Date.parse)
        return times.length === 10 && times[1]! - times[0]! === 300_000
      },
      { timeoutMs: UI_TIMEOUT, message: 'the preview of the new cron' },
    )
  })

  it('backfills a past range under the overlap policy, and shows what the server refuses', async () => {
    const pad = (n: number) => String(n).padStart(2, '0')
    // A datetime-local value: the browser and this process share the machine's zone.
    const local = (at: Date) =>
      `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
    const now = Date.now()
    await page.getByText('Backfill a past range').click()
    const form = page.getByRole('form', { name: 'Backfill' })
    // A range that ends in the future is the server's to refuse: its message is shown.
    await form.getByLabel('From (your time)').fill(local(new Date(now - 16 * 60_000)))
    await form.getByLabel('To (your time)').fill(local(new Date(now + 60 * 60_000)))
    await form.getByRole('button', { name: 'Backfill' }).click()
    await page
      .getByRole('alert')
      .getByText(/to must not be in the future.*\(4\d\d /)
      .waitFor({ timeout: UI_TIMEOUT })

    // Every 5 minutes (Berlin is a whole hour from UTC): (last − 15 min, last] holds exactly 3 times.
    const last = Math.floor((now - 60_000) / 300_000) * 300_000
    await form.getByLabel('From (your time)').fill(local(new Date(last - 15 * 60_000 + 1000)))
    await form.getByLabel('To (your time)').fill(local(new Date(last)))
    await form.getByRole('button', { name: 'Backfill' }).click()
    // Each of them started (allow_all).
    await page
      .getByRole('status')
      .getByText('Backfilled: 3 fires (3 started)')
      .waitFor({ timeout: UI_TIMEOUT })
    const backfilled = page.getByTestId('fires').getByRole('row').filter({ hasText: 'backfill' })
    await waitUntil(async () => (await backfilled.count()) === 3, {
      timeoutMs: UI_TIMEOUT,
      message: 'three backfilled fires in the list',
    })
    const fires = (await call('GET', `/${customer}/schedule/${scheduleId}/fires`)).json as { kind: string }[]
    expect(fires.filter((fire) => fire.kind === 'backfill')).toHaveLength(3)
  })

  it('shows a viewer the schedule without any control that writes', async () => {
    const viewer = await call('POST', `/${customer}/token`, { name: 'schedule-watcher', role: 'viewer' })
    expect(viewer.status).toBe(201)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    try {
      const tab = await signIn(context, String(viewer.body.token))
      await tab.getByRole('link', { name: 'Schedules', exact: true }).click()
      await tab.getByTestId('schedules').getByRole('link', { name: '*/5 * * * *' }).click()
      await tab.getByRole('heading', { name: 'Schedule */5 * * * *' }).waitFor({ timeout: UI_TIMEOUT })
      await tab.getByTestId('fires').getByTestId('fire-job').first().waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByTestId('preview').locator('li').count()).toBe(10)
      for (const name of ['Pause', 'Resume', 'Trigger now', 'Edit', 'Delete', 'Backfill'])
        expect(await tab.getByRole('button', { name, exact: true }).count(), name).toBe(0)
      await tab.goto(`${gateway}/console/#/task/${taskId}`)
      await tab
        .getByTestId('schedules')
        .getByRole('link', { name: '*/5 * * * *' })
        .waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByRole('button', { name: 'New schedule' }).count()).toBe(0)
      // The gateway refuses it anyway.
      const refused = await call(
        'POST',
        `/${customer}/schedule/${scheduleId}/trigger`,
        undefined,
        String(viewer.body.token),
      )
      expect(refused.status).toBe(403)
    } finally {
      await context.close()
    }
  })

  it('shows a schedule whose task was deleted in its error state, with the reason', async () => {
    const doomed = await createTask('short-lived', '#!/bin/sh\necho bye\n')
    // Every second: the first fire after the task is gone finds it gone.
    const made = await call('POST', `/${customer}/task/${doomed}/schedule`, { cron: '* * * * * *' })
    expect(made.status).toBe(201)
    await page.goto(`${gateway}/console/#/schedules`)
    const row = page.getByTestId('schedules').getByRole('row').filter({ hasText: '* * * * * *' })
    await row.getByRole('link', { name: 'short-lived' }).waitFor({ timeout: UI_TIMEOUT })
    await row.getByTestId('schedule-state').getByText('active').waitFor({ timeout: UI_TIMEOUT })
    expect((await call('DELETE', `/${customer}/task/${doomed}`)).status).toBe(204)
    let last: Json = {}
    await waitUntil(
      async () => {
        last = (await scheduleOf(String(made.body.id))).body
        return last.state === 'error'
      },
      { timeoutMs: UI_TIMEOUT, message: 'the schedule in error' },
    ).catch(async (error: unknown) => {
      const fires = await call('GET', `/${customer}/schedule/${made.body.id}/fires?limit=5`)
      throw new Error(`${String(error)}: ${JSON.stringify(last)} ${JSON.stringify(fires.json)}`)
    })
    // The list follows the stream: the row turns to error without a reload.
    await row.getByTestId('schedule-state').getByText('error').waitFor({ timeout: UI_TIMEOUT })
    const reason = String(last.error)
    expect(reason).not.toBe('')
    await row.getByText(reason).waitFor()
    await row.getByRole('link', { name: '* * * * * *', exact: true }).click()
    await page
      .getByRole('heading', { name: 'Schedule * * * * * *', exact: true })
      .waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('schedule-state').getByText('error').waitFor()
    await page.getByTestId('schedule-fields').getByRole('link', { name: doomed }).waitFor()
  })

  it('deletes it after a confirmation, and its jobs stay', async () => {
    await page.goto(`${gateway}/console/#/schedule/${scheduleId}`)
    await page.getByRole('heading', { name: 'Schedule */5 * * * *' }).waitFor({ timeout: UI_TIMEOUT })
    const jobs = (await call('GET', `/${customer}/schedule/${scheduleId}/fires`)).json as {
      job_id: string | null
    }[]
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('button', { name: 'Keep it' }).click()
    expect((await scheduleOf(scheduleId)).status).toBe(200)
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('button', { name: 'Yes, delete' }).click()
    await page.getByRole('heading', { name: 'nightly-report', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('schedules').getByText('No schedule.').waitFor({ timeout: UI_TIMEOUT })
    expect((await scheduleOf(scheduleId)).status).toBe(404)
    const started = jobs.map((fire) => fire.job_id).filter((id): id is string => id !== null)
    expect(started.length).toBeGreaterThanOrEqual(2)
    for (const id of started) expect((await call('GET', `/${customer}/job/${id}`)).status).toBe(200)
  })
})
