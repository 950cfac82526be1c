import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf, sleep } from './support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from './support/in-process-platform.js'

type Json = Record<string, unknown>
interface Run extends Json {
  lifecycle: string
  state: string
  nodes: { key: string; state: string; job_ids: string[] }[]
}

// A workflow run when its job-scheduler dies: the scheduler a child process, SIGKILLed while two of
// the run's jobs run on the bot, and started again; the rest of the platform real, in this process.
describe('workflow runs under SIGKILL', () => {
  let platform: InProcessPlatform
  let step: string

  /** Calls the gateway, trying again while no scheduler answers (it was just killed). */
  async function call(method: string, path: string, json?: Json) {
    const { customer, adminToken } = platform
    for (let attempt = 0; ; attempt++) {
      const answer = await platform.call(method, `/${customer}${path}`, {
        token: adminToken,
        ...(json === undefined ? {} : { json }),
      })
      if (answer.status < 500 || attempt >= 40) return answer
      await sleep(500)
    }
  }

  async function until(runId: string, done: (run: Run) => boolean): Promise<Run> {
    const deadline = Date.now() + 60_000
    for (;;) {
      const answer = await call('GET', `/workflow/job/${runId}`)
      expect(answer.status, answer.text).toBe(200)
      const run = answer.body as Run
      if (done(run)) return run
      if (Date.now() > deadline) throw new Error(`run ${runId} never got there: ${answer.text}`)
      await sleep(200)
    }
  }

  beforeAll(async () => {
    platform = await startInProcessPlatform({ schedulerProcesses: 1 })
    const { call: gateway, customer, adminToken, botId } = platform
    const script = await expectStatus(gateway, 201, 'POST', `/${customer}/script`, {
      token: adminToken,
      json: { filename: 'step.sh', content: '#!/bin/sh\necho "$1"\nsleep "$2"\n' },
    })
    const task = await expectStatus(gateway, 201, 'POST', `/${customer}/task`, {
      token: adminToken,
      json: {
        name: 'step',
        host_id: botId,
        script_id: idOf(script),
        task_arguments: [0, 1].map((order) => ({ order, type: 'input', label: `a${order}` })),
      },
    })
    step = idOf(task)
  }, 240_000)

  afterAll(async () => {
    await platform?.stop()
  }, 60_000)

  it('loses and repeats nothing: the ends that came while it was down reach the run once, D runs once', async () => {
    const node = (key: string, seconds: number) => ({ key, task: step, arguments: [key, String(seconds)] })
    const created = await call('POST', '/workflow', {
      name: 'killed',
      nodes: [node('a', 0), node('b', 3), node('c', 3), node('d', 0)],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
      start: 'a',
    })
    expect(created.status, created.text).toBe(201)
    const started = await call('POST', `/workflow/${idOf(created)}/job`, { task_arguments: [] })
    expect(started.status, started.text).toBe(201)
    const runId = idOf(started)
    const state = (run: Run, key: string) => run.nodes.find((n) => n.key === key)?.state
    await until(runId, (run) => state(run, 'b') === 'running' && state(run, 'c') === 'running')
    const scheduler = platform.schedulerProcesses[0]!
    await scheduler.kill()
    // B and C end on the bot meanwhile; their reports wait for the scheduler.
    await sleep(5_000)
    await scheduler.start()
    const done = await until(runId, (run) => run.lifecycle === 'finished' || run.lifecycle === 'canceled')
    expect(done).toMatchObject({ lifecycle: 'finished', state: 'success' })
    for (const key of ['a', 'b', 'c', 'd']) {
      expect(state(done, key)).toBe('succeeded')
      expect(done.nodes.find((n) => n.key === key)!.job_ids).toHaveLength(1)
    }
  }, 120_000)
})
