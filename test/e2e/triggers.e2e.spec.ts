import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'

type Json = Record<string, unknown>
interface Job extends Json {
  id: string
  task_id: string
  lifecycle: string
  state: string
  origin: string
  task_arguments_values: string[]
  output: string[]
  result: { reason?: string }
}

const ended = (job: Job) => ['finished', 'terminated', 'canceled'].includes(job.lifecycle)

// Triggers and grace time end to end: task outcomes and incoming webhooks start tasks on the real
// bot, a run on hold survives restarts of job-scheduler and webhook-relay, and cycles stop.
describe('triggers, incoming webhooks and grace time', () => {
  let platform: Platform
  let dataDir: string
  let customer: string
  let botId: string
  let gateway: string
  let token: string

  async function call(method: string, path: string, body?: unknown, auth = true) {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Json }
  }

  async function createTask(name: string, content: string, fields: Json = {}): Promise<string> {
    const script = await call('POST', `/${customer}/script`, { filename: `${name}.sh`, content })
    expect(script.status).toBe(201)
    const task = await call('POST', `/${customer}/task`, {
      name,
      host_id: botId,
      script_id: script.body.id,
      ...fields,
    })
    expect(task.status).toBe(201)
    return String(task.body.id)
  }

  async function jobsOf(taskId: string): Promise<Job[]> {
    const answer = await call('GET', `/${customer}/job?task=${taskId}`)
    expect(answer.status).toBe(200)
    return answer.body as unknown as Job[]
  }

  /** The first job of `taskId` that passes `check`, polled until it shows up. */
  function jobOf(taskId: string, check: (job: Job) => boolean, message: string): Promise<Job> {
    return waitUntil(async () => (await jobsOf(taskId)).find(check) ?? false, {
      timeoutMs: 60_000,
      intervalMs: 100,
      message,
    })
  }

  async function endOf(id: string): Promise<Job> {
    return waitUntil(
      async () => {
        const job = (await call('GET', `/${customer}/job/${id}`)).body as Job
        return ended(job) ? job : false
      },
      { timeoutMs: 60_000, intervalMs: 100, message: `job ${id} to end` },
    )
  }

  const run = async (taskId: string) => {
    const answer = await call('POST', `/${customer}/task/${taskId}/job`, { task_arguments: [] })
    expect(answer.status).toBe(201)
    return answer.body as Job
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-triggers-e2e-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
      log: () => {},
    })
    ;({ customer, gateway_url: gateway, admin_token: token } = platform.credentials)
    botId = platform.credentials.bot.id
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('chains A → B with a grace time: B waits on hold with A output, through restarts, then runs', async () => {
    const a = await createTask('producer', '#!/bin/sh\necho alpha\necho "beta gamma"\n')
    const b = await createTask('consumer', '#!/bin/sh\nfor arg in "$@"; do echo "got:$arg"; done\n', {
      grace_time: 3,
      triggers: [{ task_id: a, event: 'success' }],
    })
    const jobA = await run(a)
    expect((await endOf(jobA.id)).output).toEqual(['alpha', 'beta gamma'])

    const held = await jobOf(b, (job) => job.origin === `trigger:task:${a}:${jobA.id}`, 'B to be triggered')
    expect(held).toMatchObject({ lifecycle: 'onhold', task_arguments_values: ['alpha', 'beta gamma'] })

    // The timer is data: restarting both services while B waits loses and repeats nothing.
    await platform.kill('job-scheduler')
    await platform.kill('webhook-relay')
    await platform.restart('job-scheduler')
    await platform.restart('webhook-relay')

    const done = await endOf(held.id)
    expect(done).toMatchObject({
      lifecycle: 'finished',
      state: 'success',
      output: ['got:alpha', 'got:beta gamma'],
    })
    expect((await jobsOf(b)).filter((job) => job.origin.startsWith('trigger:'))).toHaveLength(1)
  })

  it('cancels a run on hold, which then never fires; a failure triggers what waits on failure', async () => {
    const a = await createTask('source', '#!/bin/sh\necho one\n')
    const b = await createTask('patient', '#!/bin/sh\necho "ran $1"\n', {
      grace_time: 2,
      triggers: [{ task_id: a, event: 'success' }],
    })
    const firstA = await run(a)
    await endOf(firstA.id)
    const held = await jobOf(b, (job) => job.origin.endsWith(firstA.id), 'B to wait on hold')
    expect(held.lifecycle).toBe('onhold')
    const canceled = await call('PUT', `/${customer}/job/${held.id}/cancel`)
    expect(canceled.status).toBe(200)
    expect(canceled.body).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })

    // A second run of B, due after the first: once it ran, the canceled one's time has passed too.
    const secondA = await run(a)
    await endOf(secondA.id)
    const next = await jobOf(b, (job) => job.origin.endsWith(secondA.id), 'the second B')
    expect(await endOf(next.id)).toMatchObject({ state: 'success', output: ['ran one'] })
    expect((await call('GET', `/${customer}/job/${held.id}`)).body).toMatchObject({ lifecycle: 'canceled' })

    const failing = await createTask('failing', '#!/bin/sh\necho "disk full"\nexit 3\n')
    const handler = await createTask('on-failure', '#!/bin/sh\necho "handled: $1"\n', {
      triggers: [{ task_id: failing, event: 'failure' }],
    })
    const failed = await endOf((await run(failing)).id)
    expect(failed).toMatchObject({ state: 'failure', output: ['disk full'] })
    const handled = await jobOf(handler, (job) => job.origin.endsWith(failed.id), 'the failure handler')
    expect(await endOf(handled.id)).toMatchObject({ state: 'success', output: ['handled: disk full'] })
  })

  it('fires an incoming webhook: the task it triggers runs with the payload', async () => {
    const created = await call('POST', `/${customer}/webhook`, { name: 'deploys' })
    expect(created.status).toBe(201)
    const webhook = created.body as { id: string; name: string; secret: string }
    expect(webhook).toMatchObject({ name: 'deploys', secret: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect((await call('GET', `/${customer}/webhook`)).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: webhook.id })]),
    )

    const c = await createTask('deploy', '#!/bin/sh\nfor arg in "$@"; do echo "deploy:$arg"; done\n', {
      triggers: [{ webhook_id: webhook.id }],
    })
    const trigger = `/${customer}/webhook/${webhook.id}/trigger/secret`
    expect((await call('POST', `${trigger}/${'0'.repeat(64)}`, ['x'], false)).status).toBe(401)
    const fired = await call('POST', `${trigger}/${webhook.secret}`, ['main', { sha: 'abc' }], false)
    expect(fired.status).toBe(202)
    expect(fired.body).toMatchObject({
      webhook_id: webhook.id,
      payload: ['main', { sha: 'abc' }],
      task_ids: [c],
    })

    const job = await jobOf(c, (j) => j.origin === `trigger:webhook:${webhook.id}`, 'C to be triggered')
    expect(job.task_arguments_values).toEqual(['main', '{"sha":"abc"}'])
    expect((await endOf(job.id)).output).toEqual(['deploy:main', 'deploy:{"sha":"abc"}'])

    expect((await call('DELETE', `/${customer}/webhook/${webhook.id}`)).status).toBe(204)
    expect((await call('POST', `${trigger}/${webhook.secret}`, {}, false)).status).toBe(401)
  })

  it('stops a cycle A → B → A with a clear reason', async () => {
    const a = await createTask('ping', '#!/bin/sh\necho ping\n')
    const b = await createTask('pong', '#!/bin/sh\necho pong\n', {
      triggers: [{ task_id: a, event: 'success' }],
    })
    const updated = await call('PATCH', `/${customer}/task/${a}`, {
      triggers: [{ task_id: b, event: 'success' }],
    })
    expect(updated.status).toBe(200)
    const first = await run(a)
    const refused = await jobOf(
      a,
      (job) => job.origin.startsWith(`trigger:task:${b}:`) && ended(job),
      'the cycle to be stopped',
    )
    expect(refused).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect(refused.result.reason).toBe(
      `trigger cycle stopped: task ${a} already ran in this chain of triggers (${a} → ${b} → ${a})`,
    )
    const ofB = await jobsOf(b)
    expect(ofB.filter((job) => job.origin === `trigger:task:${a}:${first.id}`)).toHaveLength(1)
    expect((await jobsOf(a)).filter((job) => job.origin.startsWith('trigger:'))).toHaveLength(1)
  })
})
