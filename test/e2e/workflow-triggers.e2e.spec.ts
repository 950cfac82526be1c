import { randomUUID } from 'node:crypto'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>
interface Run extends Json {
  id: string
  lifecycle: string
  state: string
  origin: string
  task_arguments_values: string[]
  nodes: { key: string; state: string; job_id: string | null; job_ids: string[] }[]
  reason?: string
}
interface Job extends Json {
  id: string
  lifecycle: string
  state: string
  output: string[]
}

// Triggers of workflows end to end (decision 31, as decision 8 for tasks): a task's end or an
// incoming webhook starts a run of the workflow on the real platform, its values the run's `$run`;
// a grace time holds the run; a chain of triggers that comes back to the workflow stops.
describe('workflow triggers', () => {
  let platform: InProcessPlatform
  /** Prints each of its arguments on its own line, prefixed. */
  let show: string

  const as = () => ({ token: platform.adminToken })
  const path = (suffix: string) => `/${platform.customer}${suffix}`

  async function createTask(name: string, content: string, inputs = 0): Promise<string> {
    const script = await expectStatus(platform.call, 201, 'POST', path('/script'), {
      ...as(),
      json: { filename: `${name}.sh`, content },
    })
    const task = await expectStatus(platform.call, 201, 'POST', path('/task'), {
      ...as(),
      json: {
        name,
        host_id: platform.botId,
        script_id: idOf(script),
        task_arguments: Array.from({ length: inputs }, (_, order) => ({
          order,
          type: 'input',
          label: `a${order}`,
        })),
      },
    })
    return idOf(task)
  }

  /** A workflow of one node showing the run's first two values. */
  async function createWorkflow(fields: Json): Promise<string> {
    const answer = await expectStatus(platform.call, 201, 'POST', path('/workflow'), {
      ...as(),
      json: {
        name: `triggered-${randomUUID().slice(0, 8)}`,
        nodes: [
          {
            key: 'show',
            task: show,
            arguments: [
              { from: '$run', output: 0 },
              { from: '$run', output: 1 },
            ],
          },
        ],
        edges: [],
        start: 'show',
        ...fields,
      },
    })
    return idOf(answer)
  }

  const runsOf = async (workflowId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/workflow/${workflowId}/job`), as())).json as Run[]

  /** The first run of the workflow that passes `check`, polled until it shows up. */
  const runOf = (workflowId: string, check: (run: Run) => boolean, message: string) =>
    waitUntil(async () => (await runsOf(workflowId)).find(check) ?? false, {
      timeoutMs: 45_000,
      intervalMs: 200,
      message,
    })

  const read = async (runId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/workflow/job/${runId}`), as())).body as Run
  const ended = (runId: string) =>
    waitUntil(
      async () => {
        const run = await read(runId)
        return run.lifecycle === 'finished' || run.lifecycle === 'canceled' ? run : false
      },
      { timeoutMs: 45_000, intervalMs: 200, message: `run ${runId} to end` },
    )
  const job = async (jobId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/job/${jobId}`), as())).body as Job
  const jobEnd = (jobId: string) =>
    waitUntil(
      async () => {
        const found = await job(jobId)
        return ['finished', 'terminated', 'canceled'].includes(found.lifecycle) ? found : false
      },
      { timeoutMs: 45_000, intervalMs: 200, message: `job ${jobId} to end` },
    )
  const runTask = async (taskId: string) =>
    idOf(
      await expectStatus(platform.call, 201, 'POST', path(`/task/${taskId}/job`), {
        ...as(),
        json: { task_arguments: [] },
      }),
    )

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    show = await createTask('show', '#!/bin/sh\nfor arg in "$@"; do echo "got:$arg"; done\n', 2)
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
  }, 120_000)

  it("a task's success starts a run of the workflow with its output as the run's values, once", async () => {
    const producer = await createTask('producer', '#!/bin/sh\necho alpha\necho "beta gamma"\n')
    const workflowId = await createWorkflow({ triggers: [{ task_id: producer, event: 'success' }] })
    const jobId = await runTask(producer)
    expect((await jobEnd(jobId)).output).toEqual(['alpha', 'beta gamma'])

    const origin = `trigger:task:${producer}:${jobId}`
    const started = await runOf(workflowId, (run) => run.origin === origin, 'the triggered run')
    expect(started.task_arguments_values).toEqual(['alpha', 'beta gamma'])
    const done = await ended(started.id)
    expect(done).toMatchObject({ state: 'success', nodes: [{ key: 'show', state: 'succeeded' }] })
    expect((await job(done.nodes[0]!.job_id!)).output).toEqual(['got:alpha', 'got:beta gamma'])
    expect((await runsOf(workflowId)).filter((run) => run.origin === origin)).toHaveLength(1)
  }, 120_000)

  it('an incoming webhook fire starts a run with its payload', async () => {
    const created = await expectStatus(platform.call, 201, 'POST', path('/webhook'), {
      ...as(),
      json: { name: `deploys-${randomUUID().slice(0, 8)}` },
    })
    const webhook = created.body as { id: string; secret: string }
    const workflowId = await createWorkflow({ triggers: [{ webhook_id: webhook.id }] })
    await expectStatus(
      platform.call,
      202,
      'POST',
      path(`/webhook/${webhook.id}/trigger/secret/${webhook.secret}`),
      {
        json: ['main', { sha: 'abc' }],
      },
    )
    const started = await runOf(
      workflowId,
      (run) => run.origin === `trigger:webhook:${webhook.id}`,
      'the run the webhook started',
    )
    expect(started.task_arguments_values).toEqual(['main', '{"sha":"abc"}'])
    const done = await ended(started.id)
    expect(done.state).toBe('success')
    expect((await job(done.nodes[0]!.job_id!)).output).toEqual(['got:main', 'got:{"sha":"abc"}'])
  }, 120_000)

  it('a grace time holds the run, visibly, then starts it; a run canceled in its grace time never starts', async () => {
    const source = await createTask('source', '#!/bin/sh\necho one\necho two\n')
    const workflowId = await createWorkflow({
      grace_time: 2,
      triggers: [{ task_id: source, event: 'success' }],
    })
    const firstJob = await runTask(source)
    await jobEnd(firstJob)
    const held = await runOf(workflowId, (run) => run.origin.endsWith(firstJob), 'the held run')
    expect(held).toMatchObject({
      lifecycle: 'ready',
      state: 'in_progress',
      waiting_reason: { code: 'grace_time', message: expect.stringContaining('grace time') },
      hold_until: expect.any(String),
      nodes: [{ key: 'show', state: 'pending', job_id: null }],
    })
    const canceled = await expectStatus(platform.call, 200, 'PUT', path(`/workflow/job/${held.id}/cancel`), {
      ...as(),
      json: {},
    })
    expect(canceled.body).toMatchObject({
      lifecycle: 'canceled',
      nodes: [{ key: 'show', state: 'canceled', job_ids: [] }],
    })

    // A second run, held after the first: once it ran, the canceled one's grace time is over too.
    const secondJob = await runTask(source)
    await jobEnd(secondJob)
    const second = await runOf(workflowId, (run) => run.origin.endsWith(secondJob), 'the second run')
    const done = await ended(second.id)
    expect(done).toMatchObject({ state: 'success', task_arguments_values: ['one', 'two'] })
    expect(done.waiting_reason).toBeUndefined()
    expect((await job(done.nodes[0]!.job_id!)).output).toEqual(['got:one', 'got:two'])
    await sleep(500)
    expect(await read(held.id)).toMatchObject({ lifecycle: 'canceled', nodes: [{ job_ids: [] }] })
  }, 120_000)

  it('a chain of triggers coming back to the workflow stops, with the reason on a run canceled at once', async () => {
    const ping = await createTask('ping', '#!/bin/sh\necho ping\n', 2)
    // The workflow runs ping, and ping's success triggers the workflow: the second time, it stops.
    const workflowId = await createWorkflow({
      nodes: [{ key: 'ping', task: ping, arguments: [] }],
      start: 'ping',
      triggers: [{ task_id: ping, event: 'success' }],
    })
    const jobId = await runTask(ping)
    await jobEnd(jobId)
    const first = await runOf(workflowId, (run) => run.origin.endsWith(jobId), 'the first run')
    const firstDone = await ended(first.id)
    expect(firstDone.state).toBe('success')
    const nodeJob = firstDone.nodes[0]!.job_id!
    const refused = await ended(
      (await runOf(workflowId, (run) => run.origin === `trigger:task:${ping}:${nodeJob}`, 'the refused run'))
        .id,
    )
    expect(refused).toMatchObject({ lifecycle: 'canceled', state: 'canceled', nodes: [{ job_ids: [] }] })
    expect(refused.reason).toBe(
      `trigger cycle stopped: workflow ${workflowId} already ran in this chain of triggers (${ping} → ${workflowId} → ${ping} → ${workflowId})`,
    )
    await sleep(500)
    expect(await runsOf(workflowId)).toHaveLength(2)
  })
})
