import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { waitUntil } from '@taskforge/testkit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayClient } from '../e2e/support/gateway-client.js'
import {
  type ConsolePlatform,
  type Json,
  SHOTS,
  startConsolePlatform,
  UI_TIMEOUT,
} from './console-platform.js'

// The console in a real browser (Debian's Chromium driven by playwright-core) against a real
// platform and a real bot: what an operator does all day, click by click.
describe('web console', () => {
  let ui: ConsolePlatform
  let browser: Browser
  let admin: BrowserContext
  let page: Page
  let customer: string
  let token: string
  let gateway: string
  const receivers: Server[] = []
  const call: ConsolePlatform['call'] = (...args) => ui.call(...args)
  const createTask: ConsolePlatform['createTask'] = (...args) => ui.createTask(...args)
  const signIn: ConsolePlatform['signIn'] = (...args) => ui.signIn(...args)

  const shot = (tab: Page, name: string) =>
    tab.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

  beforeAll(async () => {
    ui = await startConsolePlatform({
      name: 'console-e2e',
      env: {
        WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
        WEBHOOK_RETRY_SCHEDULE: '0,200ms,500ms,1s,1s,2s',
        WEBHOOK_POLL_INTERVAL: '200ms',
      },
    })
    ;({ browser, admin, page, customer, token, gateway } = ui)
  }, 180_000)

  afterAll(async () => {
    await Promise.all(receivers.map((r) => new Promise((resolve) => r.close(resolve))))
    await ui?.stop()
  })

  it('signs in with a token into a session the browser cannot read', async () => {
    const cookies = await admin.cookies()
    expect(cookies.length).toBeGreaterThan(0)
    for (const cookie of cookies) expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    // The gateway sends / to the console.
    const home = await page.context().newPage()
    await home.goto(`${gateway}/`)
    expect(new URL(home.url()).pathname).toBe('/console/')
    await home.close()
    // Evaluated in the page, where web storage exists.
    const stored = await page.evaluate(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    )
    expect(stored).not.toContain(token)
    await page.getByText(`${customer} · admin`).waitFor()
  })

  it('creates a script and a task, runs it from the generated form and follows its log to the end', async () => {
    await page.getByRole('link', { name: 'New task' }).click()
    await page.getByLabel('Name').first().fill('greet')
    await page.getByLabel('Tags (comma separated)').fill('demo, console')
    await page
      .getByLabel('Script', { exact: true })
      .fill(
        '#!/bin/sh\necho "args: $*"\ni=1\nwhile [ $i -le 60 ]; do echo "line $i"; i=$((i+1)); sleep 0.15; done\necho finished-ok\n',
      )
    await page.getByLabel(/^Arguments \(JSON/).fill(
      JSON.stringify([
        { order: 0, type: 'fixed', label: 'mode', value: '--loud' },
        { order: 1, type: 'input', label: 'who', required: true },
        { order: 2, type: 'select', label: 'colour', options: ['red', 'blue'], required: true },
        { order: 3, type: 'json', label: 'extra' },
      ]),
    )
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'greet', exact: true }).waitFor({ timeout: UI_TIMEOUT })

    const form = page.getByRole('form', { name: 'Run' })
    await expect(form.getByLabel(/^mode/).getAttribute('readonly')).resolves.not.toBeNull()
    await form.getByLabel(/^extra/).fill('{not json')
    await form.getByRole('button', { name: 'Run' }).click()
    // Validation before anything is sent: the empty required field and the bad JSON are named.
    await form.getByText('who is required').waitFor()
    await form.getByText(/extra is not valid JSON/).waitFor()
    await form.getByLabel(/^who/).fill('world')
    await form.getByLabel(/^colour/).selectOption('blue')
    await form.getByLabel(/^extra/).fill('{"n":1}')
    await shot(page, 'task')
    await form.getByRole('button', { name: 'Run' }).click()

    await page.getByRole('heading', { name: /^Job / }).waitFor({ timeout: UI_TIMEOUT })
    const log = page.getByTestId('log')
    // Followed live: the first lines show while the job still runs, then the end arrives by itself.
    await log.getByText('line 3', { exact: true }).waitFor({ timeout: UI_TIMEOUT })
    expect(await page.getByTestId('job-lifecycle').textContent()).not.toMatch(/finished|terminated|canceled/)
    // Scrolling up stops following; Follow goes back to the end and on.
    await log.getByText('line 30', { exact: true }).waitFor({ timeout: UI_TIMEOUT })
    await log.evaluate((box) => {
      box.scrollTop = 0
    })
    await page.getByTestId('log-follow').waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('log-follow').click()
    await page.getByTestId('log-following').waitFor({ timeout: UI_TIMEOUT })
    await log.getByText('finished-ok').waitFor({ timeout: UI_TIMEOUT })
    await page.getByTestId('job-state').getByText('success').waitFor({ timeout: UI_TIMEOUT })
    await expect(page.getByTestId('log-count').textContent()).resolves.toBe('62 lines')
    await expect(page.getByTestId('job-arguments').textContent()).resolves.toBe(
      JSON.stringify(['--loud', 'world', 'blue', '{"n":1}']),
    )
    // The first line is far above the end the viewer follows: Find brings it into view.
    await page.getByPlaceholder('search the log').fill('args:')
    await page.getByRole('button', { name: 'Find' }).click()
    await expect(page.getByTestId('log-hits').textContent()).resolves.toBe('1 of 1')
    await log.getByText('args: --loud world blue {"n":1}', { exact: true }).waitFor({ timeout: UI_TIMEOUT })

    await page.getByPlaceholder('search the log').fill('line 2')
    await page.getByRole('button', { name: 'Find' }).click()
    await expect(page.getByTestId('log-hits').textContent()).resolves.toBe('1 of 11')
    await shot(page, 'job')

    // Run again: the form comes back filled with this job's arguments.
    await page.getByRole('link', { name: 'Run again' }).click()
    const again = page.getByRole('form', { name: 'Run' })
    await again.getByText('Pre-filled with the arguments of a previous run.').waitFor({ timeout: UI_TIMEOUT })
    await expect(again.getByLabel(/^who/).inputValue()).resolves.toBe('world')
    await expect(again.getByLabel(/^colour/).inputValue()).resolves.toBe('blue')
    await expect(again.getByLabel(/^extra/).inputValue()).resolves.toBe('{"n":1}')
  })

  it('lists tasks with search and tags, and jobs with filters kept in the URL', async () => {
    await page.goto(`${gateway}/console/#/tasks?tag=console`)
    await page.getByRole('link', { name: 'greet' }).waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'tasks')
    await page.goto(`${gateway}/console/#/jobs?state=success`)
    await page
      .getByTestId('jobs')
      .getByRole('link', { name: 'greet' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    await page.getByLabel('State').selectOption('failure')
    await waitUntil(async () => page.url().includes('state=failure'), {
      timeoutMs: 5000,
      message: 'the filter in the URL',
    })
    await page.getByText('No job matches.').waitFor({ timeout: UI_TIMEOUT })
    await page.getByLabel('State').selectOption('success')
    await page
      .getByTestId('jobs')
      .getByRole('link', { name: 'greet' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'jobs')
  })

  it('edits a task with If-Match and shows a change made meanwhile as a conflict', async () => {
    const taskId = await createTask('editable', '#!/bin/sh\necho hi\n', { description: 'first' })
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    await page.getByRole('button', { name: 'Edit' }).click()
    const form = page.getByRole('form', { name: 'Edit task' })
    await form.getByLabel('Description').fill('mine')
    // Someone else saves first.
    expect((await call('PATCH', `/${customer}/task/${taskId}`, { description: 'theirs' })).status).toBe(200)
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText(/Someone changed this task since you opened it/).waitFor({ timeout: UI_TIMEOUT })
    await form.getByRole('button', { name: 'Load their version' }).click()
    await waitUntil(async () => (await form.getByLabel('Description').inputValue()) === 'theirs', {
      timeoutMs: UI_TIMEOUT,
      message: 'their version in the form',
    })
    await form.getByLabel('Description').fill('mine, on theirs')
    await form.getByRole('button', { name: 'Save' }).click()
    await page.getByText('mine, on theirs').waitFor({ timeout: UI_TIMEOUT })
    expect((await call('GET', `/${customer}/task/${taskId}`)).body.description).toBe('mine, on theirs')
  })

  it('cancels a running job', async () => {
    const taskId = await createTask('long', '#!/bin/sh\necho started\nsleep 60\n')
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    await page.getByRole('form', { name: 'Run' }).getByRole('button', { name: 'Run' }).click()
    await page.getByTestId('log').getByText('started').waitFor({ timeout: UI_TIMEOUT })
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByTestId('job-state').getByText('canceled').waitFor({ timeout: UI_TIMEOUT })
    await expect(page.getByTestId('job-lifecycle').textContent()).resolves.toMatch(/canceled|terminated/)
  })

  it('shows why a job waits: its bot is offline', async () => {
    const bot = await call('POST', `/${customer}/bot`, { name: 'unplugged' })
    expect(bot.status).toBe(201)
    const script = await call('POST', `/${customer}/script`, {
      filename: 'w.sh',
      content: '#!/bin/sh\necho hi\n',
    })
    const task = await call('POST', `/${customer}/task`, {
      name: 'stranded',
      host_id: bot.body.id,
      script_id: script.body.id,
    })
    const job = await call('POST', `/${customer}/task/${task.body.id}/job`, { task_arguments: [] })
    expect(job.status).toBe(201)
    await page.goto(`${gateway}/console/#/job/${job.body.id}`)
    await page
      .getByTestId('waiting-reason')
      .getByText(/offline/)
      .waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'job-waiting')
    await page.goto(`${gateway}/console/#/bots`)
    await page.getByTestId('bots').getByText('unplugged').waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'bots')
  })

  it('shows until when a triggered run is on hold, as the gateway says it', async () => {
    const source = await createTask('hold-source', '#!/bin/sh\necho go\n')
    const held = await createTask('held-run', '#!/bin/sh\necho held\n', {
      grace_time: 600,
      triggers: [{ task_id: source, event: 'success' }],
    })
    expect((await call('POST', `/${customer}/task/${source}/job?wait_result=true`, [])).body).toMatchObject({
      state: 'success',
    })
    const job = await waitUntil(
      async () => {
        const jobs = await gatewayClient(gateway)('GET', `/${customer}/job?task=${held}`, { token })
        return (
          (jobs.json as { id: string; lifecycle: string }[]).find((one) => one.lifecycle === 'onhold') ??
          false
        )
      },
      { timeoutMs: UI_TIMEOUT, message: 'the triggered run on hold' },
    )
    const reason = (await call('GET', `/${customer}/job/${job.id}`)).body.waiting_reason as {
      message: string
      until: string
    }
    await page.goto(`${gateway}/console/#/job/${job.id}`)
    const shown = page.getByTestId('waiting-reason')
    await shown.getByText(`on hold until ${reason.until}`, { exact: false }).waitFor({ timeout: UI_TIMEOUT })
    await expect(shown.textContent()).resolves.toBe(reason.message)
    await expect(shown.getAttribute('data-code')).resolves.toBe('on_hold')
    expect((await call('PUT', `/${customer}/job/${job.id}/cancel`, {})).status).toBe(200)
  })

  it('hides from a viewer a task its ACL does not name, and that task’s jobs', async () => {
    const hidden = await createTask('payroll', '#!/bin/sh\necho secret-run\n', { acls: ['finance-team'] })
    const shown = await createTask('public-report', '#!/bin/sh\necho open-run\n')
    const hiddenJob = await call('POST', `/${customer}/task/${hidden}/job`, { task_arguments: [] })
    await call('POST', `/${customer}/task/${shown}/job`, { task_arguments: [] })
    const viewer = await call('POST', `/${customer}/token`, { name: 'watcher', role: 'viewer' })
    expect(viewer.status).toBe(201)

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    try {
      const tab = await signIn(context, String(viewer.body.token))
      await tab.getByRole('link', { name: 'public-report' }).waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByRole('link', { name: 'payroll' }).count()).toBe(0)
      expect(await tab.getByRole('link', { name: 'Tokens' }).count()).toBe(0)
      await tab.goto(`${gateway}/console/#/jobs`)
      await tab
        .getByTestId('jobs')
        .getByRole('link', { name: 'public-report' })
        .first()
        .waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByTestId('jobs').getByText('payroll').count()).toBe(0)
      await tab.goto(`${gateway}/console/#/job/${hiddenJob.body.id}`)
      await tab.getByText(/404/).waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByText('secret-run').count()).toBe(0)
      await tab.goto(`${gateway}/console/#/task/${shown}`)
      await tab.getByRole('heading', { name: 'public-report', exact: true }).waitFor({ timeout: UI_TIMEOUT })
      // A viewer may look, not run.
      expect(await tab.getByRole('form', { name: 'Run' }).count()).toBe(0)
    } finally {
      await context.close()
    }
  })

  it('shows a subscription’s deliveries and redelivers one', async () => {
    const received: string[] = []
    const receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        received.push(body)
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('thanks')
      })
    })
    receivers.push(receiver)
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

    await page.goto(`${gateway}/console/#/subscriptions`)
    await page.getByLabel('URL').fill(url)
    await page.getByLabel(/^Events/).fill('task.create')
    await page.getByRole('button', { name: 'Subscribe' }).click()
    await page.getByText('Signing secret, shown this once').waitFor({ timeout: UI_TIMEOUT })
    await createTask('announced', '#!/bin/sh\necho hi\n')
    await waitUntil(async () => received.length >= 1, { timeoutMs: 30_000, message: 'the first delivery' })

    await page.getByRole('link', { name: url }).click()
    const deliveries = page.getByTestId('deliveries')
    await deliveries
      .getByTestId('delivery-status')
      .getByText('succeeded')
      .first()
      .waitFor({ timeout: UI_TIMEOUT })
    await deliveries.getByRole('button', { name: 'task.create' }).first().click()
    await deliveries.getByText('thanks').first().waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'subscriptions')
    await deliveries.getByRole('button', { name: 'Redeliver' }).first().click()
    await waitUntil(async () => received.length >= 2, { timeoutMs: 30_000, message: 'the redelivery' })
    expect(JSON.parse(received[1]!)).toMatchObject({ event_name: 'task.create' })
    await deliveries.getByTestId('delivery-attempts').getByText('2').first().waitFor({ timeout: UI_TIMEOUT })
  })

  it('shows a job’s change pushed by the events stream within a second, without polling', async () => {
    const taskId = await createTask('pushed', '#!/bin/sh\necho started\nsleep 10\necho done\n')
    const started = await call('POST', `/${customer}/task/${taskId}/job`, { task_arguments: [] })
    expect(started.status).toBe(201)
    const jobId = String(started.body.id)
    const jobPath = `/${customer}/job/${jobId}`
    const reads: number[] = []
    const track = (request: { url(): string; method(): string }) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === jobPath) reads.push(Date.now())
    }
    page.on('request', track)
    try {
      await page.goto(`${gateway}/console/#/job/${jobId}`)
      await page.getByTestId('log').getByText('started').waitFor({ timeout: UI_TIMEOUT })
      // The page notes the moment it draws the end state, on this machine's clock as the test's
      // (a string: the test's own code has no DOM types).
      await page.evaluate(`(() => {
        const state = document.querySelector('[data-testid="job-state"]')
        const seen = () => {
          if (state.textContent === 'success') window.seenAt ??= Date.now()
        }
        new MutationObserver(seen).observe(state, { childList: true, characterData: true, subtree: true })
        seen()
      })()`)
      // While the job sleeps nothing changes: once the reads its start caused are over, a page that
      // polled would still read the job again and again.
      await waitUntil(async () => Date.now() - (reads.at(-1) ?? 0) > 600, {
        timeoutMs: UI_TIMEOUT,
        intervalMs: 50,
        message: 'the reads of the job’s start to end',
      })
      const quietFrom = reads.length
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const quiet = reads.slice(quietFrom)
      expect((await call('GET', jobPath)).body.lifecycle, 'the job still sleeps').toBe('assigned')
      // The moment the REST API first answers the end, asked as often as the test can.
      let answeredAt = 0
      await waitUntil(
        async () => {
          const job = await call('GET', jobPath)
          if (job.body.lifecycle !== 'finished') return false
          answeredAt = Date.now()
          return true
        },
        { timeoutMs: UI_TIMEOUT, intervalMs: 20, message: 'the job to finish' },
      )
      await page.getByTestId('job-state').getByText('success').waitFor({ timeout: UI_TIMEOUT })
      const seenAt = Number(await page.evaluate('window.seenAt ?? 0'))
      expect(seenAt).toBeGreaterThan(0)
      // The promise: a job's change reaches an open page within a second. The page may draw it
      // before the test's own request sees it (then this is negative); one second is generous for a
      // push (event → stream → one read of the job) and far too short for the slow poll this replaced.
      expect(seenAt - answeredAt).toBeLessThan(1000)
      expect(quiet, 'reads of the job while nothing happened to it').toEqual([])
    } finally {
      page.off('request', track)
    }
  })

  it('exports a task’s recipe and imports it as a new task', async () => {
    const taskId = await createTask('recipe-source', '#!/bin/sh\necho "from a recipe: $1"\n', {
      description: 'shared by recipe',
      task_arguments: [{ order: 0, type: 'input', label: 'who' }],
    })
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    await page.getByRole('heading', { name: 'recipe-source', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    const [file] = await Promise.all([
      page.waitForEvent('download', { timeout: UI_TIMEOUT }),
      page.getByRole('button', { name: 'Export recipe' }).click(),
    ])
    expect(file.suggestedFilename()).toBe('recipe-source.recipe.json')
    const exported = JSON.parse(await readFile((await file.path())!, 'utf8')) as {
      task: Json
      script: Json
    }
    expect(exported.task).toMatchObject({ name: 'recipe-source', description: 'shared by recipe' })
    expect(exported.script.content).toBe('#!/bin/sh\necho "from a recipe: $1"\n')

    await page.goto(`${gateway}/console/#/task/new`)
    const form = page.getByRole('form', { name: 'Import recipe' })
    await form.waitFor({ timeout: UI_TIMEOUT })
    await form
      .getByLabel('Recipe (JSON, as exported)')
      .fill(JSON.stringify({ ...exported, task: { ...exported.task, name: 'recipe-copy' } }))
    await form.getByRole('button', { name: 'Import' }).click()
    await page.getByRole('heading', { name: 'recipe-copy', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    const copyId = page.url().split('/task/')[1]!.split(/[?&]/)[0]!
    expect(copyId).not.toBe(taskId)
    // Through the API: the copy is a task of its own, with the source's definition and script.
    const copy = await call('GET', `/${customer}/task/${copyId}`)
    expect(copy.body).toMatchObject({
      name: 'recipe-copy',
      description: 'shared by recipe',
      task_arguments: [expect.objectContaining({ label: 'who', type: 'input' })],
    })
    const ran = await call('POST', `/${customer}/task/${copyId}/job?wait_result=true`, ['recipes'])
    expect(ran.body).toMatchObject({ state: 'success', output: ['from a recipe: recipes'] })
  })

  it('shows a task’s secret key and rotates it: the old key stops working', async () => {
    const taskId = await createTask('keyed', '#!/bin/sh\necho keyed-run\n')
    await page.goto(`${gateway}/console/#/task/${taskId}`)
    await page.getByRole('button', { name: 'Show secret key' }).click()
    const shown = page.getByTestId('task-secret')
    await shown.waitFor({ timeout: UI_TIMEOUT })
    const first = (await shown.textContent())!.trim()
    expect((await call('GET', `/${customer}/task/${taskId}/credentials`)).body.secret).toBe(first)

    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByRole('button', { name: 'Rotate secret key' }).click()
    await waitUntil(async () => ((await shown.textContent()) ?? '').trim() !== first, {
      timeoutMs: UI_TIMEOUT,
      message: 'the rotated key on the page',
    })
    const second = (await shown.textContent())!.trim()
    expect((await call('GET', `/${customer}/task/${taskId}/credentials`)).body.secret).toBe(second)
    // Through the API, without a token: the new key runs the task, the old one no longer does.
    const anonymous = gatewayClient(gateway)
    const withOld = await anonymous('POST', `/${customer}/task/${taskId}/secret/${first}/job`, { json: [] })
    expect([401, 403, 404]).toContain(withOld.status)
    const withNew = await anonymous('POST', `/${customer}/task/${taskId}/secret/${second}/job`, { json: [] })
    expect(withNew.status).toBe(201)
  })

  it('creates a token that works, and revokes it: the API refuses it at once', async () => {
    await page.goto(`${gateway}/console/#/tokens`)
    const form = page.getByRole('form', { name: 'New token' })
    await form.getByLabel('Name').fill('ci-runner')
    await form.getByLabel('Role').selectOption('user')
    await form.getByRole('button', { name: 'Create token' }).click()
    const issued = page.getByTestId('issued-token')
    await issued.waitFor({ timeout: UI_TIMEOUT })
    const secret = (await issued.textContent())!.trim()
    const row = page.getByRole('row').filter({ hasText: 'ci-runner' })
    await row.getByText('user', { exact: true }).waitFor({ timeout: UI_TIMEOUT })
    await shot(page, 'tokens')
    // Through the API: the token shown once is a working user token.
    expect((await call('GET', `/${customer}/task`, undefined, secret)).status).toBe(200)
    const listed = await gatewayClient(gateway)('GET', `/${customer}/token`, { token })
    expect(listed.json).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'ci-runner', role: 'user' })]),
    )

    page.once('dialog', (dialog) => void dialog.accept())
    await row.getByRole('button', { name: 'Revoke' }).click()
    await waitUntil(
      async () => (await page.getByRole('row').filter({ hasText: 'ci-runner' }).count()) === 0,
      {
        timeoutMs: UI_TIMEOUT,
        message: 'the revoked token gone from the list',
      },
    )
    expect((await call('GET', `/${customer}/task`, undefined, secret)).status).toBe(401)
  })

  it('signs out, and the session is over', async () => {
    await page.goto(`${gateway}/console/#/tasks`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT })
    await page.reload()
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT })
  })
})
