import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
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

interface RunNode {
  key: string
  state: string
  job_id: string | null
  job_ids: string[]
}

// Workflows in the console, in a real browser against a real platform and bot: a workflow made
// through the API is opened and drawn, run from its page, and its run's graph follows the jobs live
// (the events stream, no polling); a failed branch, a cancel and a retry from the failure; a viewer
// sees nothing of a workflow its acls hide.
describe('web console: workflows', () => {
  let ui: ConsolePlatform
  let browser: Browser
  let page: Page
  let customer: string
  let gateway: string
  /** Ends when the file its first argument names exists: the test decides when a node ends. */
  let gate: string
  /** Prints its first argument, sleeps its second (seconds), exits with its third. */
  let step: string
  /** Fails while the file its first argument names is missing, succeeds once it exists. */
  let check: string
  const files: string[] = []

  const call: ConsolePlatform['call'] = (...args) => ui.call(...args)
  const aFile = () => {
    const path = join(tmpdir(), `taskforge-console-gate-${randomUUID()}`)
    files.push(path)
    return path
  }
  const stepNode = (key: string, text: string, code = 0, more: Json = {}): Json => ({
    key,
    task: step,
    arguments: [text, '0', String(code)],
    ...more,
  })
  const fromRun = { from: '$run', output: 0 }

  async function createWorkflow(body: Json): Promise<string> {
    const answer = await call('POST', `/${customer}/workflow`, body)
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
    return String(answer.body.id)
  }
  const readRun = async (runId: string) => {
    const answer = await call('GET', `/${customer}/workflow/job/${runId}`)
    expect(answer.status).toBe(200)
    return answer.body as Json & { nodes: RunNode[]; lifecycle: string; state: string }
  }
  /** The id of the run the page shows (the last part of its place). */
  const shownRunId = () => decodeURIComponent(new URL(page.url()).hash.split('/').at(-1)!.split('?')[0]!)
  /** Waits until the run page draws the node in that state. */
  const nodeIs = (key: string, state: string) =>
    page.locator(`[data-testid="node-${key}"][data-state="${state}"]`).waitFor({ timeout: UI_TIMEOUT })
  const runIs = (state: string) =>
    page
      .getByTestId('run-state')
      .filter({ hasText: new RegExp(`^${state}$`) })
      .waitFor({ timeout: UI_TIMEOUT })

  beforeAll(async () => {
    ui = await startConsolePlatform({ name: 'console-workflows-e2e', viewport: { width: 1280, height: 900 } })
    ;({ browser, page, customer, gateway } = ui)
    gate = await ui.createTask(
      'gate',
      '#!/bin/sh\necho waiting\nwhile [ ! -e "$1" ]; do sleep 0.1; done\necho opened\n',
      {
        task_arguments: [{ order: 0, type: 'input', label: 'path', required: true }],
      },
    )
    step = await ui.createTask('step', '#!/bin/sh\necho "$1"\nsleep "$2"\nexit "$3"\n', {
      task_arguments: [
        { order: 0, type: 'input', label: 'text' },
        { order: 1, type: 'input', label: 'seconds' },
        { order: 2, type: 'input', label: 'code' },
      ],
    })
    check = await ui.createTask(
      'check',
      '#!/bin/sh\nif [ -e "$1" ]; then echo present; else echo missing; exit 3; fi\n',
      { task_arguments: [{ order: 0, type: 'input', label: 'file', required: true }] },
    )
  }, 180_000)

  afterAll(async () => {
    await ui?.stop()
    for (const file of files) await rm(file, { force: true })
  })

  let releaseId: string

  it('opens a workflow made through the API and draws its graph, its steps and its versions', async () => {
    releaseId = await createWorkflow({
      name: 'release',
      description: 'build, test and lint, then deploy',
      nodes: [
        { key: 'build', task: gate, arguments: [fromRun] },
        stepNode('test', 'tested'),
        stepNode('lint', 'linted'),
        stepNode('deploy', 'deployed'),
        stepNode('notify', 'build failed'),
      ],
      edges: [
        { from: 'build', to: 'test' },
        { from: 'build', to: 'lint' },
        { from: 'test', to: 'deploy' },
        { from: 'lint', to: 'deploy' },
        { from: 'build', to: 'notify', on: 'failure' },
      ],
      start: 'build',
    })
    // A second version: the page offers both, the latest first.
    expect(
      (await call('PATCH', `/${customer}/workflow/${releaseId}`, { description: 'the release train' }))
        .status,
    ).toBe(200)

    await page.goto(`${gateway}/console/#/tasks`)
    await page.getByRole('link', { name: 'Workflows' }).click()
    await page.getByRole('link', { name: 'release' }).click()
    await page.getByRole('heading', { name: 'release', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    const graph = page.getByTestId('workflow-graph')
    for (const key of ['build', 'test', 'lint', 'deploy', 'notify'])
      await graph.getByTestId(`node-${key}`).waitFor()
    // Edges with their `on`: the failure edge is labelled so.
    expect(await graph.getByTestId('edge-build-notify').textContent()).toContain('failure')
    expect(await graph.getByTestId('edge-test-deploy').textContent()).toContain('success')
    // A step names the task it runs.
    expect(await graph.getByTestId('node-build').textContent()).toContain('gate')
    // The layers: build, then test and lint side by side, then deploy.
    const x = async (key: string) => (await graph.getByTestId(`node-${key}`).boundingBox())!.x
    expect(await x('test')).toBe(await x('lint'))
    expect(await x('build')).toBeLessThan(await x('test'))
    expect(await x('test')).toBeLessThan(await x('deploy'))
    const versions = page.getByLabel('Version')
    expect(await versions.locator('option').allTextContents()).toEqual(['2 (latest)', '1'])
    await versions.selectOption('1')
    await page.getByRole('heading', { name: 'Graph of version 1' }).waitFor({ timeout: UI_TIMEOUT })
    expect(new URL(page.url()).hash).toContain('version=1')
    await versions.selectOption('2')
    await page.getByRole('heading', { name: 'Graph', exact: true }).waitFor({ timeout: UI_TIMEOUT })
  })

  it('runs it from the console and draws each node as it goes, running → succeeded, live', async () => {
    const opened = aFile()
    await page.goto(`${gateway}/console/#/workflow/${releaseId}`)
    const form = page.getByRole('form', { name: 'Run workflow' })
    // The run's argument is described as the argument of the step it feeds; required, as there.
    await form.getByRole('button', { name: 'Run' }).click()
    await form.getByText('path (build) is required').waitFor()
    await form.getByLabel(/^path \(build\)/).fill(opened)
    await form.getByRole('button', { name: 'Run' }).click()
    await page.waitForURL(/#\/workflow-run\//, { timeout: UI_TIMEOUT })
    const runId = shownRunId()
    const runPath = `/${customer}/workflow/job/${runId}`
    const reads: number[] = []
    const track = (request: { url(): string; method(): string }) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === runPath) reads.push(Date.now())
    }
    page.on('request', track)
    await nodeIs('build', 'running')
    await nodeIs('deploy', 'pending')
    expect(await page.getByTestId('run-lifecycle').textContent()).toBe('assigned')
    // While the gate is closed nothing changes: once the reads the run's start caused are over, a
    // page that polled would read the run again and again.
    await waitUntil(async () => Date.now() - (reads.at(-1) ?? 0) > 600, {
      timeoutMs: UI_TIMEOUT,
      intervalMs: 50,
      message: 'the reads of the run’s start to end',
    })
    const quietFrom = reads.length
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(reads.slice(quietFrom), 'reads of the run while nothing changed').toEqual([])
    expect((await readRun(runId)).nodes.find((n) => n.key === 'build')!.state).toBe('running')

    // The gate opens: the page is told by the events stream and draws each step as it ends.
    await writeFile(opened, '')
    await nodeIs('build', 'succeeded')
    await nodeIs('deploy', 'succeeded')
    await nodeIs('notify', 'skipped')
    await runIs('success')
    page.off('request', track)
    const run = await readRun(runId)
    expect(run).toMatchObject({ lifecycle: 'finished', state: 'success', task_arguments_values: [opened] })
    // Each node links to its latest job, and the table lists every job of it.
    for (const node of run.nodes.filter((n) => n.job_id !== null)) {
      expect(await page.getByTestId(`node-${node.key}`).locator('a').getAttribute('href')).toBe(
        `#/job/${node.job_id}`,
      )
      expect(await page.getByTestId(`run-node-${node.key}`).getByRole('link').count()).toBe(
        1 + node.job_ids.length,
      )
    }
    await page.getByTestId('node-deploy').locator('a').click()
    await page.getByTestId('job-state').filter({ hasText: 'success' }).waitFor({ timeout: UI_TIMEOUT })
    await page.goBack()

    // The workflow's page lists the run.
    await page.goto(`${gateway}/console/#/workflow/${releaseId}`)
    await page
      .getByTestId('workflow-runs')
      .getByRole('link', { name: runId.slice(0, 8) })
      .waitFor({ timeout: UI_TIMEOUT })
    await page.screenshot({ path: join(SHOTS, 'workflow.png'), fullPage: true })
  })

  it('shows a failing branch failed and the run failed; retry from the failure goes on from it', async () => {
    const present = aFile()
    const workflowId = await createWorkflow({
      name: 'nightly',
      nodes: [
        stepNode('fetch', 'fetched'),
        { key: 'verify', task: check, arguments: [fromRun] },
        stepNode('index', 'indexed'),
        stepNode('publish', 'published'),
        stepNode('alert', 'verify failed'),
      ],
      edges: [
        { from: 'fetch', to: 'verify' },
        { from: 'fetch', to: 'index' },
        { from: 'verify', to: 'publish' },
        { from: 'index', to: 'alert', on: 'failure' },
      ],
      start: 'fetch',
    })
    await page.goto(`${gateway}/console/#/workflow/${workflowId}`)
    await page
      .getByRole('form', { name: 'Run workflow' })
      .getByLabel(/^file \(verify\)/)
      .fill(present)
    await page.getByRole('form', { name: 'Run workflow' }).getByRole('button', { name: 'Run' }).click()
    await page.waitForURL(/#\/workflow-run\//, { timeout: UI_TIMEOUT })
    const runId = shownRunId()
    await nodeIs('verify', 'failed')
    await nodeIs('index', 'succeeded')
    await nodeIs('publish', 'skipped')
    await nodeIs('alert', 'skipped')
    await runIs('failure')
    await page
      .getByTestId('run-reason')
      .filter({ hasText: 'node verify failed' })
      .waitFor({ timeout: UI_TIMEOUT })
    // A failed run cannot be canceled; it can be retried.
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0)
    await page.screenshot({ path: join(SHOTS, 'workflow-run.png'), fullPage: true })
    const failed = await readRun(runId)
    const fetchJobs = failed.nodes.find((n) => n.key === 'fetch')!.job_ids

    await writeFile(present, '')
    await page.getByRole('button', { name: 'Retry from the failure' }).click()
    await nodeIs('verify', 'succeeded')
    await nodeIs('publish', 'succeeded')
    await runIs('success')
    const retried = await readRun(runId)
    // fetch succeeded before: it did not run again; verify has the failed job and the new one.
    expect(retried.nodes.find((n) => n.key === 'fetch')!.job_ids).toEqual(fetchJobs)
    expect(retried.nodes.find((n) => n.key === 'verify')!.job_ids).toHaveLength(2)
    // A successful run offers neither cancel nor retry.
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Retry from the failure' }).count()).toBe(0)
  })

  it('cancels a run with a long node: its jobs end canceled, as the API says too', async () => {
    const never = aFile()
    const workflowId = await createWorkflow({
      name: 'long-haul',
      nodes: [{ key: 'wait', task: gate, arguments: [fromRun] }, stepNode('after', 'after')],
      edges: [{ from: 'wait', to: 'after' }],
      start: 'wait',
    })
    const started = await call('POST', `/${customer}/workflow/${workflowId}/job`, { task_arguments: [never] })
    expect(started.status).toBe(201)
    const runId = String(started.body.id)
    await page.goto(`${gateway}/console/#/workflow-run/${runId}`)
    await nodeIs('wait', 'running')
    const jobId = (await readRun(runId)).nodes.find((n) => n.key === 'wait')!.job_id!
    // The script runs on the bot before the cancel (it printed its first line): it is stopped there.
    for (let i = 0; ; i++) {
      const log = await call('GET', `/${customer}/job/${jobId}/log?tail=10`)
      if ((log.body.lines as string[] | undefined)?.includes('waiting')) break
      if (i > 300) throw new Error(`the job never started: ${JSON.stringify(log.body)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await page.getByRole('button', { name: 'Cancel run' }).click()
    await nodeIs('wait', 'canceled')
    await runIs('canceled')
    expect(await page.getByTestId('run-lifecycle').textContent()).toBe('canceled')
    const run = await readRun(runId)
    expect(run).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect(run.nodes.find((n) => n.key === 'after')!.state).toBe('canceled')
    const job = await call('GET', `/${customer}/job/${jobId}`)
    expect(job.body).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    // The run has ended: the page offers no cancel, and the API refuses one.
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0)
    const again = await call('PUT', `/${customer}/workflow/job/${runId}/cancel`, {})
    expect(again.status).toBe(409)
  })

  it('hides from a viewer a workflow its acls do not name, and its runs', async () => {
    const hidden = await createWorkflow({
      name: 'payroll-flow',
      acls: ['finance-team'],
      nodes: [stepNode('pay', 'paid')],
      start: 'pay',
    })
    const shown = await createWorkflow({
      name: 'public-flow',
      nodes: [stepNode('say', 'hello')],
      start: 'say',
    })
    const hiddenRun = await call('POST', `/${customer}/workflow/${hidden}/job`, { task_arguments: [] })
    expect(hiddenRun.status).toBe(201)
    const viewer = await call('POST', `/${customer}/token`, { name: 'flow-watcher', role: 'viewer' })
    expect(viewer.status).toBe(201)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    try {
      const tab = await ui.signIn(context, String(viewer.body.token))
      await tab.getByRole('link', { name: 'Workflows' }).click()
      await tab.getByRole('link', { name: 'public-flow' }).waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByRole('link', { name: 'payroll-flow' }).count()).toBe(0)
      await tab.goto(`${gateway}/console/#/workflow/${hidden}`)
      await tab.getByText(/404/).waitFor({ timeout: UI_TIMEOUT })
      await tab.goto(`${gateway}/console/#/workflow-run/${hiddenRun.body.id}`)
      await tab.getByText(/404/).waitFor({ timeout: UI_TIMEOUT })
      expect(await tab.getByText('payroll-flow').count()).toBe(0)
      // A viewer may look at what it sees, not run it.
      await tab.goto(`${gateway}/console/#/workflow/${shown}`)
      await tab.getByRole('heading', { name: 'public-flow', exact: true }).waitFor({ timeout: UI_TIMEOUT })
      await tab.getByTestId('workflow-graph').getByTestId('node-say').waitFor()
      expect(await tab.getByRole('form', { name: 'Run workflow' }).count()).toBe(0)
    } finally {
      await context.close()
    }
  })
})
