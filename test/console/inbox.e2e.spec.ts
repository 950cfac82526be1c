import { join } from 'node:path'
import { waitUntil } from '@taskforge/testkit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConsolePlatform,
  type Json,
  SHOTS,
  startConsolePlatform,
  UI_TIMEOUT,
} from './console-platform.js'

interface RunNode {
  key: string
  state: string
  job_id: string | null
}
type Run = Json & { id: string; lifecycle: string; state: string; nodes: RunNode[] }

// The approval inbox in the console (decision 32), in a real browser against a real platform and
// bot: a run started by one token waits for an approver, who signs in, finds the step in the Inbox
// (told live by the events stream, not polled), approves it, answers an input step's form, and the
// task nodes after them run on the bot with the answer. A vote the API refuses is shown; a step
// nobody decided in time is drawn expired.
describe('web console: the approval inbox', () => {
  let ui: ConsolePlatform
  let browser: Browser
  let customer: string
  let gateway: string
  let echo: string
  let starter: string
  let approver: string
  let deputy: string
  const contexts: BrowserContext[] = []

  const call: ConsolePlatform['call'] = (...args) => ui.call(...args)
  const inboxRow = (page: Page, node: string) => page.getByTestId('inbox').getByTestId(`inbox-${node}`)

  async function createWorkflow(body: Json): Promise<string> {
    const answer = await call('POST', `/${customer}/workflow`, body)
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
    return String(answer.body.id)
  }
  async function start(workflowId: string): Promise<string> {
    const answer = await call(
      'POST',
      `/${customer}/workflow/${workflowId}/job`,
      { task_arguments: [] },
      starter,
    )
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
    return String(answer.body.id)
  }
  const readRun = async (runId: string) => {
    const answer = await call('GET', `/${customer}/workflow/job/${runId}`)
    expect(answer.status).toBe(200)
    return answer.body as Run
  }
  const nodeOf = (run: Run, key: string) => run.nodes.find((node) => node.key === key)!
  async function waitingJob(runId: string, key: string): Promise<string> {
    let jobId = ''
    await waitUntil(
      async () => {
        const node = nodeOf(await readRun(runId), key)
        jobId = node.job_id ?? ''
        return node.state === 'waiting' && jobId !== ''
      },
      { timeoutMs: UI_TIMEOUT, message: `step ${key} to wait` },
    )
    return jobId
  }
  async function issue(name: string): Promise<string> {
    const answer = await call('POST', `/${customer}/token`, { name, role: 'user' })
    expect(answer.status).toBe(201)
    return String(answer.body.token)
  }
  async function signIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } })
    contexts.push(context)
    return { context, page: await ui.signIn(context, token) }
  }

  beforeAll(async () => {
    ui = await startConsolePlatform({ name: 'console-inbox-e2e' })
    ;({ browser, customer, gateway } = ui)
    echo = await ui.createTask('echo', '#!/bin/sh\necho "$1"\n', {
      task_arguments: [{ order: 0, type: 'input', label: 'text' }],
    })
    starter = await issue('starter')
    approver = await issue('approver')
    deputy = await issue('deputy')
  }, 180_000)

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await ui?.stop()
  })

  it('an approver sees the step live, approves it and answers an input form; the task nodes run on', async () => {
    const workflowId = await createWorkflow({
      name: 'release-gate',
      nodes: [
        { key: 'approve', approval: { approvers: ['approver', 'deputy'], required: 1 } },
        { key: 'deploy', task: echo, arguments: ['deploying'] },
        {
          key: 'ask',
          input: {
            approvers: ['approver'],
            form: [
              { order: 0, type: 'input', label: 'version', required: true },
              { order: 1, type: 'select', label: 'region', value: 'eu', options: ['eu', 'us'] },
            ],
          },
        },
        { key: 'build', task: echo, arguments: [{ from: 'ask', output: 'version' }] },
      ],
      edges: [
        { from: 'approve', to: 'deploy' },
        { from: 'deploy', to: 'ask' },
        { from: 'ask', to: 'build' },
      ],
      start: 'approve',
    })
    const { page } = await signIn(approver)
    await page.getByRole('link', { name: 'Inbox' }).click()
    await page.getByTestId('inbox').getByText('Nothing waits for you.').waitFor({ timeout: UI_TIMEOUT })
    const inboxReads: number[] = []
    page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === `/${customer}/inbox`)
        inboxReads.push(Date.now())
    })

    // Another token starts the run: its step reaches the open inbox through the events stream.
    const runId = await start(workflowId)
    const approveJob = await waitingJob(runId, 'approve')
    const row = inboxRow(page, 'approve')
    await row.waitFor({ timeout: UI_TIMEOUT })
    expect(await row.getByRole('link', { name: 'release-gate' }).getAttribute('href')).toBe(
      `#/workflow/${workflowId}`,
    )
    expect(await row.getByRole('link', { name: runId.slice(0, 8) }).getAttribute('href')).toBe(
      `#/workflow-run/${runId}`,
    )
    expect(await row.locator('td').nth(3).textContent()).toBe('approval')
    expect(await row.locator('td').nth(4).textContent()).toBe('0 / 1')
    // Nothing changes meanwhile: a page that polled would read the inbox again and again.
    await waitUntil(async () => Date.now() - (inboxReads.at(-1) ?? 0) > 600, {
      timeoutMs: UI_TIMEOUT,
      intervalMs: 50,
      message: 'the reads of the step’s start to end',
    })
    const quietFrom = inboxReads.length
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(inboxReads.slice(quietFrom), 'reads of the inbox while nothing changed').toEqual([])
    await page.screenshot({ path: join(SHOTS, 'inbox.png') })

    await row.getByLabel('Comment on approve').fill('ship it')
    await row.getByRole('button', { name: 'Approve' }).click()
    await row.waitFor({ state: 'detached', timeout: UI_TIMEOUT })
    const decided = await call('GET', `/${customer}/job/${approveJob}`)
    expect(decided.body).toMatchObject({ lifecycle: 'finished', state: 'success' })

    // The run goes on: its task node runs on the bot, then the input step waits, told live.
    const askRow = inboxRow(page, 'ask')
    await askRow.waitFor({ timeout: UI_TIMEOUT })
    expect(await askRow.locator('td').nth(3).textContent()).toBe('input')
    const afterApproval = await readRun(runId)
    expect(nodeOf(afterApproval, 'deploy').state).toBe('succeeded')
    const deployJob = await call('GET', `/${customer}/job/${nodeOf(afterApproval, 'deploy').job_id}`)
    expect(deployJob.body).toMatchObject({ state: 'success', output: ['deploying'] })

    // The run page draws the waiting step, which links to the inbox.
    await askRow.getByRole('link', { name: runId.slice(0, 8) }).click()
    await page.locator('[data-testid="node-ask"][data-state="waiting"]').waitFor({ timeout: UI_TIMEOUT })
    await page.locator('[data-testid="node-approve"][data-state="succeeded"]').waitFor()
    await page.getByTestId('node-ask').getByRole('link').click()
    await askRow.waitFor({ timeout: UI_TIMEOUT })

    // The input step's form is the run form's fields, checked before anything is sent.
    await askRow.getByRole('button', { name: 'Answer' }).click()
    const form = page.getByRole('form', { name: 'Answer ask' })
    expect(await form.getByLabel(/^region/).inputValue()).toBe('eu')
    await form.getByRole('button', { name: 'Submit' }).click()
    await form.getByText('version is required').waitFor()
    await form.getByLabel(/^version/).fill('1.2.3')
    await form.getByLabel(/^region/).selectOption('us')
    await page.screenshot({ path: join(SHOTS, 'inbox-input.png') })
    await form.getByRole('button', { name: 'Submit' }).click()
    await askRow.waitFor({ state: 'detached', timeout: UI_TIMEOUT })

    let done: Run | undefined
    await waitUntil(
      async () => {
        done = await readRun(runId)
        return done.lifecycle === 'finished'
      },
      { timeoutMs: UI_TIMEOUT, message: 'the run to end' },
    )
    expect(done).toMatchObject({ state: 'success' })
    const ask = await call('GET', `/${customer}/job/${nodeOf(done!, 'ask').job_id}`)
    expect(ask.body).toMatchObject({ state: 'success', output: ['1.2.3', 'us'] })
    const build = await call('GET', `/${customer}/job/${nodeOf(done!, 'build').job_id}`)
    expect(build.body).toMatchObject({
      state: 'success',
      task_arguments_values: ['1.2.3'],
      output: ['1.2.3'],
    })
    await page.getByTestId('inbox').getByText('Nothing waits for you.').waitFor({ timeout: UI_TIMEOUT })
  })

  it('shows a vote the API refuses (409: decided meanwhile) as the other pages show errors', async () => {
    const workflowId = await createWorkflow({
      name: 'one-of-two',
      nodes: [
        { key: 'sign', approval: { approvers: ['approver', 'deputy'] } },
        { key: 'after', task: echo, arguments: ['signed'] },
      ],
      edges: [{ from: 'sign', to: 'after' }],
      start: 'sign',
    })
    const runId = await start(workflowId)
    const jobId = await waitingJob(runId, 'sign')
    // The deputy's page is not told of the decision below (its events stream never opens), so it
    // still offers the vote the API then refuses.
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } })
    contexts.push(context)
    await context.route('**/events', () => {})
    const page = await ui.signIn(context, deputy)
    await page.goto(`${gateway}/console/#/inbox`)
    const row = inboxRow(page, 'sign')
    await row.waitFor({ timeout: UI_TIMEOUT })
    const approved = await call('PUT', `/${customer}/job/${jobId}/approve`, {}, approver)
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    await row.getByRole('button', { name: 'Reject' }).click()
    await row.getByRole('alert').filter({ hasText: '409' }).waitFor({ timeout: UI_TIMEOUT })
    expect(await row.getByRole('alert').textContent()).toMatch(/409/)
    expect((await readRun(runId)).nodes.find((node) => node.key === 'sign')!.state).not.toBe('failed')
  })

  it('draws a step nobody decided in time as expired, and the run takes its expired edge', async () => {
    const workflowId = await createWorkflow({
      name: 'too-late',
      nodes: [
        { key: 'sign', approval: { approvers: ['approver'], expires_in: 1 } },
        { key: 'ship', task: echo, arguments: ['shipped'] },
        { key: 'tell', task: echo, arguments: ['nobody signed'] },
      ],
      edges: [
        { from: 'sign', to: 'ship' },
        { from: 'sign', to: 'tell', on: 'expired' },
      ],
      start: 'sign',
    })
    const runId = await start(workflowId)
    const { page } = await signIn(approver)
    await page.goto(`${gateway}/console/#/workflow-run/${runId}`)
    await page.locator('[data-testid="node-sign"][data-state="expired"]').waitFor({ timeout: UI_TIMEOUT })
    await page.locator('[data-testid="node-tell"][data-state="succeeded"]').waitFor({ timeout: UI_TIMEOUT })
    await page.locator('[data-testid="node-ship"][data-state="skipped"]').waitFor({ timeout: UI_TIMEOUT })
    expect(await page.getByTestId('node-sign').textContent()).toContain('expired')
    await page.screenshot({ path: join(SHOTS, 'workflow-run-expired.png') })
    const ended = await readRun(runId)
    expect(nodeOf(ended, 'sign').state).toBe('expired')
    expect(nodeOf(ended, 'ship').state).toBe('skipped')
  })

  it('pages the inbox as the jobs list is paged', async () => {
    const workflowId = await createWorkflow({
      name: 'many-gates',
      nodes: [{ key: 'gate', approval: { approvers: ['deputy'] } }],
      start: 'gate',
    })
    const runs: string[] = []
    // One page is 50 steps: 51 runs make a second page.
    for (let batch = 0; batch < 51; batch += 10)
      runs.push(
        ...(await Promise.all(Array.from({ length: Math.min(10, 51 - batch) }, () => start(workflowId)))),
      )
    await waitUntil(
      async () => {
        const listed = await call('GET', `/${customer}/inbox?limit=1000`, undefined, deputy)
        return (listed.json as unknown[]).length === 51
      },
      { timeoutMs: UI_TIMEOUT, message: 'the 51 steps to wait for the deputy' },
    )
    const { page } = await signIn(deputy)
    await page.getByRole('link', { name: 'Inbox' }).click()
    const rows = page.getByTestId('inbox').getByTestId('inbox-gate')
    const runsShown = async () =>
      (
        await rows
          .locator('a[href^="#/workflow-run/"]')
          .evaluateAll((links) => links.map((a) => a.getAttribute('href')))
      ).map((link) => decodeURIComponent(String(link).split('/').at(-1) ?? ''))
    await waitUntil(async () => (await rows.count()) === 50, {
      timeoutMs: UI_TIMEOUT,
      message: 'a page of 50',
    })
    const onFirst = await runsShown()
    expect(new Set(onFirst).size).toBe(50)
    await page.getByRole('link', { name: 'Next page' }).click()
    await waitUntil(async () => (await rows.count()) === 1, {
      timeoutMs: UI_TIMEOUT,
      message: 'the last step',
    })
    // The two pages hold every step once.
    const onSecond = await runsShown()
    expect(onSecond.length).toBe(1)
    expect(new Set([...onFirst, ...onSecond])).toEqual(new Set(runs))
    await page.getByRole('link', { name: 'First page' }).click()
    await waitUntil(async () => (await rows.count()) === 50, {
      timeoutMs: UI_TIMEOUT,
      message: 'the first page again',
    })
  })
})
