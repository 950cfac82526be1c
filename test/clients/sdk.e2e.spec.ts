import {
  createTaskforge,
  followLog,
  isTaskforgeError,
  runAndWait,
  runTask,
  type Taskforge,
} from '@taskforge/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus, idOf } from '../e2e/support/fixtures.js'
import { type InProcessPlatform, startInProcessPlatform } from '../e2e/support/in-process-platform.js'
import { droppingProxy } from './dropping-proxy.js'

const LINES = 60
// Lines come a little at a time, so that a follow sees the log grow; one of them is not ASCII.
const SCRIPT = `#!/bin/sh\ni=1\nwhile [ $i -le ${LINES} ]; do echo "line $i of $1 ✓"; i=$((i+1)); sleep 0.02; done\n`

describe('@taskforge/sdk against a real platform', () => {
  let platform: InProcessPlatform
  let tf: Taskforge
  let taskId: string

  beforeAll(async () => {
    platform = await startInProcessPlatform()
    const token = platform.adminToken
    const script = await expectStatus(platform.call, 201, 'POST', `/${platform.customer}/script`, {
      token,
      json: { filename: 'lines.sh', content: SCRIPT },
    })
    const task = await expectStatus(platform.call, 201, 'POST', `/${platform.customer}/task`, {
      token,
      json: {
        name: 'lines',
        host_id: platform.botId,
        script_id: idOf(script),
        task_arguments: [{ order: 0, type: 'input', label: 'who' }],
      },
    })
    taskId = idOf(task)
    tf = createTaskforge({
      env: {
        TASKFORGE_URL: platform.gatewayUrl,
        TASKFORGE_TOKEN: token,
        TASKFORGE_CUSTOMER: platform.customer,
      },
    })
  })
  afterAll(() => platform?.stop())

  it('runs a task and waits for its job to end', async () => {
    const { job, ended } = await runAndWait(tf, taskId, { args: ['sdk'] })
    expect(ended).toBe(true)
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success', task_arguments_values: ['sdk'] })
    expect(job.output).toHaveLength(LINES)
  })

  it('throws typed errors that carry the API code', async () => {
    const failure = await tf.api
      .GET('/{customer}/job/{id}', { params: { path: { customer: tf.customer, id: 'no-such-job' } } })
      .catch((error: unknown) => error)
    expect(isTaskforgeError(failure)).toBe(true)
    expect(failure).toMatchObject({ status: 404, code: 'NOT_FOUND' })
  })

  it('follows a log across a dropped connection, losing and repeating nothing', async () => {
    const proxy = await droppingProxy(platform.gatewayUrl, 200)
    try {
      const viaProxy = createTaskforge({
        url: proxy.url,
        token: platform.adminToken,
        customer: platform.customer,
      })
      const job = await runTask(viaProxy, taskId, { args: ['follow'] })
      const reconnects: unknown[] = []
      let followed = ''
      for await (const text of followLog(viaProxy, job.id, {
        onReconnect: (_n, error) => reconnects.push(error),
      }))
        followed += text
      expect(proxy.drops()).toBe(1)
      expect(reconnects.length).toBeGreaterThanOrEqual(1)
      const stored = await expectStatus(
        platform.call,
        200,
        'GET',
        `/${platform.customer}/job/${job.id}/log`,
        {
          token: platform.adminToken,
        },
      )
      expect(followed).toBe(stored.text)
      expect(followed.split('\n').filter(Boolean)).toEqual(
        Array.from({ length: LINES }, (_, i) => `line ${i + 1} of follow ✓`),
      )
    } finally {
      await proxy.close()
    }
  })
})
