import { randomUUID } from 'node:crypto'
import { waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { expectStatus, type IssuedToken, idOf, issueToken, jobEnded, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>
interface RunNode {
  key: string
  state: string
  job_id: string | null
  job_ids: string[]
  reason?: string
}
interface Run extends Json {
  id: string
  lifecycle: string
  state: string
  nodes: RunNode[]
}
interface InboxItem extends Json {
  job_id: string
  run_id: string
  node: string
  kind: string
  approvals: number
  required: number
}

// Approval and input steps of workflow runs end to end (decision 32): the real gateway, catalog,
// scheduler, Postgres, NATS and a bot running a real script for the task nodes. A step is a job no bot
// runs; people decide it through PUT /:customer/job/:id/approve|reject|input.
describe('workflow approvals and inputs', () => {
  let platform: InProcessPlatform
  /** Prints its first argument. */
  let echo: string
  /** Starts runs; also an approver through its tag (a second path that must not let it decide). */
  let starter: IssuedToken
  let a1: IssuedToken
  let a2: IssuedToken
  let a3: IssuedToken
  /** Sees the workflow, is no approver. */
  let bystander: IssuedToken
  /** Does not see the workflow. */
  let outsider: IssuedToken
  /** Subscribed to job.awaiting_approval. */
  let hook: TestReceiver

  const path = (suffix: string) => `/${platform.customer}${suffix}`
  const admin = () => ({ token: platform.adminToken })

  async function createWorkflow(body: Json): Promise<string> {
    return idOf(
      await expectStatus(platform.call, 201, 'POST', path('/workflow'), {
        ...admin(),
        json: { name: `approvals-${randomUUID().slice(0, 8)}`, acls: ['team:ops'], ...body },
      }),
    )
  }

  async function run(workflowId: string, by: IssuedToken = starter): Promise<Run> {
    const answer = await expectStatus(platform.call, 201, 'POST', path(`/workflow/${workflowId}/job`), {
      token: by.token,
      json: { task_arguments: [] },
    })
    return answer.body as Run
  }

  const read = async (runId: string) =>
    (await expectStatus(platform.call, 200, 'GET', path(`/workflow/job/${runId}`), admin())).body as Run

  async function until(runId: string, done: (run: Run) => boolean, timeoutMs = 60_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const current = await read(runId)
      if (done(current)) return current
      if (Date.now() > deadline) throw new Error(`run ${runId} never got there: ${JSON.stringify(current)}`)
      await sleep(100)
    }
  }
  const node = (current: Run, key: string) => current.nodes.find((candidate) => candidate.key === key)!
  /** The run once `key` waits, and the job of that step. */
  async function waitingStep(runId: string, key: string): Promise<{ run: Run; jobId: string }> {
    const current = await until(runId, (r) => node(r, key).state === 'waiting')
    return { run: current, jobId: node(current, key).job_id! }
  }
  const ended = (runId: string) => until(runId, (current) => current.lifecycle !== 'assigned')

  const vote = (
    who: IssuedToken | string,
    jobId: string,
    kind: 'approve' | 'reject' | 'input',
    json: unknown = {},
  ) =>
    platform.call('PUT', path(`/job/${jobId}/${kind}`), {
      token: typeof who === 'string' ? who : who.token,
      json,
    })

  const inbox = async (who: IssuedToken) =>
    (await expectStatus(platform.call, 200, 'GET', path('/inbox'), { token: who.token })).json as InboxItem[]

  /** ask (approval) → ok (echo approved) on success, no (echo rejected) on failure, late (echo expired) on expiry. */
  const gate = (approval: Json): Json => ({
    nodes: [
      { key: 'ask', approval: { approvers: ['a1', 'a2', 'a3', 'team:release'], ...approval } },
      { key: 'ok', task: echo, arguments: ['approved'] },
      { key: 'no', task: echo, arguments: ['rejected'] },
      { key: 'late', task: echo, arguments: ['expired'] },
    ],
    edges: [
      { from: 'ask', to: 'ok', on: 'success' },
      { from: 'ask', to: 'no', on: 'failure' },
      { from: 'ask', to: 'late', on: 'expired' },
    ],
    start: 'ask',
  })

  beforeAll(async () => {
    platform = await startInProcessPlatform({
      webhookEnv: { WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8', WEBHOOK_POLL_INTERVAL: '200ms' },
    })
    const { call, customer, botId, adminToken } = platform
    hook = await TestReceiver.start()
    await expectStatus(call, 201, 'POST', `/${customer}/subscription`, {
      token: adminToken,
      json: { url: `${hook.origin}/hook`, events: ['job.awaiting_approval'] },
    })
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: 'echo.sh', content: '#!/bin/sh\necho "$1"\n' },
    })
    echo = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: adminToken,
        json: {
          name: 'echo',
          host_id: botId,
          script_id: idOf(script),
          task_arguments: [{ order: 0, type: 'input', label: 'text' }],
        },
      }),
    )
    const token = (name: string, tags: string[]) =>
      issueToken(call, customer, adminToken, { name, role: 'user', tags })
    starter = await token('starter', ['team:ops', 'team:release'])
    a1 = await token('a1', ['team:ops'])
    a2 = await token('a2', ['team:ops'])
    a3 = await token('a3', ['team:ops'])
    bystander = await token('bystander', ['team:ops'])
    outsider = await token('outsider', ['team:elsewhere'])
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    await hook?.close()
  })

  it('2 of 3 approvers: a repeated vote, an outsider, a bystander and the starter are refused; then the run goes on', async () => {
    const started = await run(await createWorkflow(gate({ required: 2 })))
    const { jobId } = await waitingStep(started.id, 'ask')

    const job = await expectStatus(platform.call, 200, 'GET', path(`/job/${jobId}`), { token: a1.token })
    expect(job.body).toMatchObject({
      lifecycle: 'waiting',
      state: 'in_progress',
      origin: 'workflow',
      workflow_run_id: started.id,
      workflow_node: 'ask',
    })

    expect((await inbox(a1)).find((item) => item.job_id === jobId)).toMatchObject({
      run_id: started.id,
      node: 'ask',
      kind: 'approval',
      approvals: 0,
      required: 2,
    })
    // Subscribers hear that the step waits, with what it waits for.
    type Told = { event_name: string; event_data: { job_id: string; job: Json; step: Json } }
    const told = () => hook.bodies<Told>().find((body) => body.event_data.job_id === jobId)
    await waitUntil(() => told() !== undefined, { timeoutMs: 30_000 })
    expect(told()).toMatchObject({
      event_name: 'job.awaiting_approval',
      event_data: {
        job: { lifecycle: 'waiting', origin: 'workflow', workflow_run_id: started.id },
        step: { run_id: started.id, node: 'ask', kind: 'approval', required: 2 },
      },
    })
    expect((await inbox(starter)).some((item) => item.job_id === jobId)).toBe(false)
    expect((await inbox(bystander)).some((item) => item.job_id === jobId)).toBe(false)
    expect((await inbox(outsider)).some((item) => item.job_id === jobId)).toBe(false)

    // The starter matches the approvers through its tag: still not its step to decide.
    expect((await vote(starter, jobId, 'approve')).status).toBe(403)
    expect((await vote(outsider, jobId, 'approve')).status).toBe(404)
    expect((await vote(bystander, jobId, 'approve')).status).toBe(403)

    const first = await vote(a1, jobId, 'approve', { comment: 'looks fine' })
    expect(first.status, first.text).toBe(200)
    expect(first.body).toMatchObject({ lifecycle: 'waiting' })
    const again = await vote(a1, jobId, 'approve')
    expect(again.status, again.text).toBe(409)
    expect((await inbox(a1)).some((item) => item.job_id === jobId)).toBe(false)
    expect((await inbox(a2)).find((item) => item.job_id === jobId)).toMatchObject({ approvals: 1 })

    const second = await vote(a2, jobId, 'approve')
    expect(second.status, second.text).toBe(200)
    expect(second.body).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect((await vote(a3, jobId, 'approve')).status).toBe(409)

    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(node(done, 'ask').state).toBe('succeeded')
    expect(node(done, 'ok').state).toBe('succeeded')
    expect(node(done, 'no').state).toBe('skipped')
    expect(node(done, 'late').state).toBe('skipped')
    const ok = await jobEnded(platform.call, platform.customer, platform.adminToken, node(done, 'ok').job_id!)
    expect(ok.output).toEqual(['approved'])
  })

  it('two votes at once when one is needed: exactly one 200 and one 409', async () => {
    const started = await run(await createWorkflow(gate({ required: 1 })))
    const { jobId } = await waitingStep(started.id, 'ask')
    const answers = await Promise.all([vote(a1, jobId, 'approve'), vote(a2, jobId, 'approve')])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
    // The loser either raced the winner on the step's stream, or read the step decided already.
    const loser = answers.find((answer) => answer.status === 409)!
    expect(['CONFLICT', 'INVALID_STATE']).toContain(loser.body.code)
    const done = await ended(started.id)
    expect(done).toMatchObject({ state: 'success' })
    expect(node(done, 'ok').job_ids).toHaveLength(1)
  })

  it('a rejection fails the step, and the run takes its failure edge', async () => {
    const started = await run(await createWorkflow(gate({ required: 2 })))
    const { jobId } = await waitingStep(started.id, 'ask')
    expect((await vote(a1, jobId, 'approve')).status).toBe(200)
    const rejected = await vote(a3, jobId, 'reject', { comment: 'not this week' })
    expect(rejected.status, rejected.text).toBe(200)
    expect(rejected.body).toMatchObject({
      lifecycle: 'finished',
      state: 'failure',
      result: { reason: 'rejected by a3: not this week' },
    })
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(node(done, 'ask').state).toBe('failed')
    expect(node(done, 'no').state).toBe('succeeded')
    expect(node(done, 'ok').state).toBe('skipped')
  })

  it('a step nobody decides expires and takes its expired edge', async () => {
    const started = await run(await createWorkflow(gate({ required: 1, expires_in: 1 })))
    const { jobId } = await waitingStep(started.id, 'ask')
    const done = await ended(started.id)
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    expect(node(done, 'ask').state).toBe('expired')
    expect(node(done, 'late').state).toBe('succeeded')
    expect(node(done, 'no').state).toBe('skipped')
    const step = await expectStatus(platform.call, 200, 'GET', path(`/job/${jobId}`), admin())
    expect(step.body).toMatchObject({ lifecycle: 'terminated', state: 'timeout' })
    expect((await vote(a1, jobId, 'approve')).status).toBe(409)
  })

  it("an input step's answers feed the next task node's arguments, which a real bot runs", async () => {
    const workflowId = await createWorkflow({
      nodes: [
        {
          key: 'ask',
          input: {
            form: [
              { order: 0, type: 'input', label: 'version', required: true },
              { order: 1, type: 'select', label: 'region', value: 'eu', options: ['eu', 'us'] },
            ],
          },
        },
        { key: 'build', task: echo, arguments: [{ from: 'ask', output: 'version' }] },
      ],
      edges: [{ from: 'ask', to: 'build' }],
      start: 'ask',
    })
    const started = await run(workflowId)
    const { jobId } = await waitingStep(started.id, 'ask')
    expect((await inbox(bystander)).find((item) => item.job_id === jobId)).toMatchObject({
      kind: 'input',
      form: [
        { label: 'version', type: 'input', required: true },
        { label: 'region', options: ['eu', 'us'] },
      ],
    })
    // Answers the form does not take, and worst inputs, are refused and change nothing.
    expect((await vote(a1, jobId, 'input', { answers: { nope: 'x' } })).status).toBe(422)
    expect((await vote(a1, jobId, 'input', { answers: { region: 'us' } })).status).toBe(422)
    expect((await vote(a1, jobId, 'input', { answers: { version: 'x'.repeat(70_000) } })).status).toBe(422)
    expect((await vote(a1, jobId, 'approve')).status).toBe(422)
    expect(
      (await vote(a1, jobId, 'input', { answers: { version: 'y'.repeat(3 * 1024 * 1024) } })).status,
    ).toBe(413)
    expect((await vote(starter, jobId, 'input', { answers: { version: '9.9.9' } })).status).toBe(403)

    const answered = await vote(a1, jobId, 'input', { answers: { version: '1.2.3' } })
    expect(answered.status, answered.text).toBe(200)
    expect(answered.body).toMatchObject({ lifecycle: 'finished', state: 'success', output: ['1.2.3', 'eu'] })
    const done = await ended(started.id)
    expect(done).toMatchObject({ state: 'success' })
    const build = await jobEnded(
      platform.call,
      platform.customer,
      platform.adminToken,
      node(done, 'build').job_id!,
    )
    expect(build).toMatchObject({ state: 'success', task_arguments_values: ['1.2.3'], output: ['1.2.3'] })
  })

  it('bounds comments (422) and keeps the inbox to pages', async () => {
    const workflowId = await createWorkflow(gate({ required: 1 }))
    const runs = await Promise.all([run(workflowId), run(workflowId), run(workflowId)])
    const jobIds = await Promise.all(runs.map(async (r) => (await waitingStep(r.id, 'ask')).jobId))
    expect((await vote(a1, jobIds[0]!, 'reject', { comment: 'c'.repeat(5000) })).status).toBe(422)

    const first = await expectStatus(platform.call, 200, 'GET', path('/inbox?limit=2'), { token: a2.token })
    expect(first.json as InboxItem[]).toHaveLength(2)
    const cursor = first.headers.get('x-next-cursor')
    expect(cursor).toBeTruthy()
    const seen = new Set((first.json as InboxItem[]).map((item) => item.job_id))
    let next: string | null = cursor
    while (next !== null) {
      const page = await expectStatus(platform.call, 200, 'GET', path(`/inbox?limit=2&cursor=${next}`), {
        token: a2.token,
      })
      for (const item of page.json as InboxItem[]) {
        expect(seen.has(item.job_id)).toBe(false)
        seen.add(item.job_id)
      }
      next = page.headers.get('x-next-cursor')
    }
    for (const jobId of jobIds) expect(seen.has(jobId)).toBe(true)
    expect((await platform.call('GET', path('/inbox?limit=5000'), { token: a2.token })).status).toBe(400)
    // Canceling the run cancels its waiting step, which leaves the inbox.
    await expectStatus(platform.call, 200, 'PUT', path(`/workflow/job/${runs[0]!.id}/cancel`), {
      ...admin(),
      json: {},
    })
    const canceled = await until(runs[0]!.id, (r) => r.lifecycle !== 'assigned')
    expect(canceled).toMatchObject({ lifecycle: 'canceled', state: 'canceled' })
    expect((await inbox(a2)).some((item) => item.job_id === jobIds[0])).toBe(false)
  })
})
