import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { kanboardReceiver } from '../../services/webhook-relay/src/test-support/kanboard-receiver.js'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { verifyStandardWebhook } from '../../services/webhook-relay/src/test-support/standard-webhooks.js'

type Json = Record<string, unknown>
type Api = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: Json }>

interface DeliveryView {
  id: string
  event_name: string
  status: string
  attempts: { outcome: string; status_code: number | null; error: string | null }[]
}

// Short retries and polling so outages heal within a test; every other setting is the production default.
const FAST_RETRIES = {
  WEBHOOK_RETRY_SCHEDULE: '0,200ms,500ms,1s,1s,2s,2s,5s,5s,10s,10s',
  WEBHOOK_POLL_INTERVAL: '200ms',
  WEBHOOK_TIMEOUT: '3s',
}

async function launch(
  env: Record<string, string>,
  withBot: boolean,
): Promise<{ platform: Platform; dataDir: string; api: Api }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskforge-webhooks-e2e-'))
  const platform = await startPlatform({
    dataDir,
    persistent: false,
    gatewayPort: await freePort(),
    withBot,
    env,
    log: () => {},
  })
  const { gateway_url, admin_token } = platform.credentials
  const api: Api = async (method, path, body, token = admin_token) => {
    const response = await fetch(`${gateway_url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Json }
  }
  return { platform, dataDir, api }
}

describe('outgoing webhooks, end to end', () => {
  let platform: Platform
  let dataDir: string
  let api: Api
  let customer: string
  const receivers: TestReceiver[] = []

  const receiver = async (...args: Parameters<typeof TestReceiver.start>) => {
    const started = await TestReceiver.start(...args)
    receivers.push(started)
    return started
  }
  const subscribe = async (url: string, events?: string[]) => {
    const created = await api('POST', `/${customer}/subscription`, { url, ...(events ? { events } : {}) })
    expect(created.status).toBe(201)
    return created.body as { id: string; url: string; events: string[]; token: string; secret: string }
  }
  const deliveries = async (subscriptionId: string) => {
    const answer = await api('GET', `/${customer}/subscription/${subscriptionId}/delivery?limit=200`)
    expect(answer.status).toBe(200)
    return answer.body as unknown as DeliveryView[]
  }
  const createTask = async (name: string, scriptId: string) => {
    const task = await api('POST', `/${customer}/task`, {
      name,
      host_id: platform.credentials.bot.id,
      script_id: scriptId,
    })
    expect(task.status).toBe(201)
    return task.body as { id: string }
  }
  let scriptId = ''

  beforeAll(async () => {
    ;({ platform, dataDir, api } = await launch(
      { WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8', ...FAST_RETRIES },
      true,
    ))
    customer = platform.credentials.customer
  }, 180_000)

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()))
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('manages subscriptions over REST, for admins only', async () => {
    const hook = await receiver()
    const created = await subscribe(`${hook.origin}/hook`, ['task.*'])
    expect(created.secret).toMatch(/^whsec_/)
    expect(created.token).toMatch(/^[0-9a-f]{64}$/)
    expect(created.events).toEqual(['task.*'])

    const one = await api('GET', `/${customer}/subscription/${created.id}`)
    expect(one.body).toMatchObject({ id: created.id, enabled: true, disabled_reason: null })
    const list = await api('GET', `/${customer}/subscription`)
    expect((list.body as unknown as { id: string }[]).map((s) => s.id)).toContain(created.id)
    const patched = await api('PATCH', `/${customer}/subscription/${created.id}`, {
      events: ['job.finish'],
      description: 'ci',
    })
    expect(patched.body).toMatchObject({ events: ['job.finish'], description: 'ci' })

    const viewer = await api('POST', `/${customer}/token`, { name: 'watcher', role: 'viewer' })
    expect(viewer.status).toBe(201)
    const forbidden = await api('GET', `/${customer}/subscription`, undefined, String(viewer.body.token))
    expect(forbidden.status).toBe(403)
    const bad = await api('POST', `/${customer}/subscription`, { url: 'ftp://example.com/' })
    expect(bad.status).toBe(422)
    const unknownEvent = await api('POST', `/${customer}/subscription`, {
      url: hook.origin,
      events: ['task.created'],
    })
    expect(unknownEvent.status).toBe(422)

    expect((await api('DELETE', `/${customer}/subscription/${created.id}`)).status).toBe(204)
    expect((await api('GET', `/${customer}/subscription/${created.id}`)).status).toBe(404)
  })

  it('sends every event, signed, in the format a receiver written from the Kanboard document accepts', async () => {
    let tokenKnown: (token: string) => void = () => {}
    const token = new Promise<string>((resolve) => {
      tokenKnown = resolve
    })
    const rejections: string[] = []
    const kanboard = await receiver(kanboardReceiver(token, rejections))
    const subscription = await subscribe(`${kanboard.origin}/kanboard`)
    tokenKnown(subscription.token)

    const script = await api('POST', `/${customer}/script`, { filename: 'hi.sh', content: 'echo hi\n' })
    expect(script.status).toBe(201)
    scriptId = String(script.body.id)
    const task = await createTask('greet', scriptId)
    const patched = await api('PATCH', `/${customer}/task/${task.id}`, { description: 'says hi' })
    expect(patched.status).toBe(200)
    const run = await api('POST', `/${customer}/task/${task.id}/job`, {})
    expect(run.status).toBe(201)
    const bot = await api('POST', `/${customer}/bot`, { name: 'spare' })
    expect(bot.status).toBe(201)
    await waitUntil(
      () => kanboard.bodies<{ event_name: string }>().some((b) => b.event_name === 'job.finish'),
      {
        timeoutMs: 60_000,
        message: 'job.finish delivered',
      },
    )
    expect((await api('DELETE', `/${customer}/task/${task.id}`)).status).toBe(204)
    const expected = [
      'ping',
      'script.create',
      'task.create',
      'task.update',
      'job.create',
      'job.update',
      'job.finish',
      'bot.create',
      'task.delete',
    ]
    // Deliveries run side by side: they arrive in any order.
    await waitUntil(() => {
      const names = new Set(kanboard.bodies<{ event_name: string }>().map((body) => body.event_name))
      return expected.every((name) => names.has(name))
    })
    const bodies = kanboard.bodies<{ event_name: string; event_data: Json; event_author: string }>()
    expect(rejections).toEqual([])
    const update = bodies.find((body) => body.event_name === 'task.update')
    expect(update?.event_data).toMatchObject({ task_id: task.id, changes: { description: 'says hi' } })
    expect(update?.event_author).toBe('admin')
    const finish = bodies.find((body) => body.event_name === 'job.finish')
    expect(finish?.event_data).toMatchObject({
      job_id: run.body.id,
      job: { lifecycle: 'finished', state: 'success', output: ['hi'] },
    })
    for (const request of kanboard.requests) {
      expect(request.headers['user-agent']).toBe('Taskforge-Webhook/1.0')
      expect(() => verifyStandardWebhook(subscription.secret, request)).not.toThrow()
    }
    const listed = await deliveries(subscription.id)
    const ids = new Set(listed.map((delivery) => delivery.id))
    for (const request of kanboard.requests) expect(ids).toContain(request.headers['webhook-id'])
  }, 120_000)

  it('keeps the old secret signing beside the new one after a rotation', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['task.create'])
    const rotated = await api('POST', `/${customer}/subscription/${subscription.id}/secret/rotate`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).not.toBe(subscription.secret)
    expect(rotated.body.previous_secret_expires_at).toEqual(expect.any(String))
    await createTask('after rotation', scriptId)
    await waitUntil(() => hook.requests.length === 2)
    const request = hook.requests[1]!
    for (const secret of [subscription.secret, String(rotated.body.secret)]) {
      expect(() => verifyStandardWebhook(secret, request)).not.toThrow()
    }
  })

  it('loses nothing while the receiver and the relay are down, and sends a delivery again on request', async () => {
    const hook = await receiver()
    const subscription = await subscribe(hook.origin, ['task.create'])
    await waitUntil(() => hook.requests.length === 1)
    await hook.down()
    for (let i = 0; i < 3; i++) await createTask(`outage ${i}`, scriptId)
    await waitUntil(async () => {
      const pending = (await deliveries(subscription.id)).filter((d) => d.status === 'pending')
      return pending.length === 3 && pending.every((d) => d.attempts.some((a) => a.outcome === 'failure'))
    })
    await platform.kill('webhook-relay')
    for (let i = 3; i < 6; i++) await createTask(`outage ${i}`, scriptId)
    await platform.restart('webhook-relay')
    await hook.up()
    await waitUntil(() => hook.requests.length >= 7, {
      timeoutMs: 60_000,
      message: 'every event after the outage',
    })
    const names = hook
      .bodies<{ event_data: { task: { name: string } } }>()
      .map((b) => b.event_data.task?.name)
    for (let i = 0; i < 6; i++) expect(names).toContain(`outage ${i}`)

    const done = await waitUntil(async () => {
      const list = await deliveries(subscription.id)
      return list.every((d) => d.status === 'succeeded') && list
    })
    const retried = done.find((d) => d.attempts.length > 1)!
    expect(retried.attempts[0]).toMatchObject({ outcome: 'failure', status_code: null })
    const before = hook.requests.length
    const again = await api(
      'POST',
      `/${customer}/subscription/${subscription.id}/delivery/${retried.id}/retry`,
    )
    expect(again.status).toBe(202)
    await waitUntil(() => hook.requests.length === before + 1)
    expect(hook.requests.at(-1)!.headers['webhook-id']).toBe(retried.id)
  }, 150_000)

  it('delivers to a fast receiver while a slow one does not answer', async () => {
    const slow = await receiver(() => ({ hang: true }))
    const fast = await receiver()
    const slowSubscription = await subscribe(slow.origin, ['task.create'])
    await subscribe(fast.origin, ['task.create'])
    for (let i = 0; i < 5; i++) await createTask(`busy ${i}`, scriptId)
    await waitUntil(() => fast.requests.length === 6, { message: 'the fast receiver got every event' })
    expect(slow.hanging).toBeGreaterThan(0)
    await waitUntil(async () =>
      (await deliveries(slowSubscription.id)).some((d) =>
        d.attempts.some((a) => a.error === 'no complete answer within 3000 ms'),
      ),
    )
  })
})

describe('outgoing webhooks to non-public addresses', () => {
  let platform: Platform
  let dataDir: string
  let api: Api
  let hook: TestReceiver

  beforeAll(async () => {
    ;({ platform, dataDir, api } = await launch(FAST_RETRIES, false))
    hook = await TestReceiver.start()
  }, 180_000)

  afterAll(async () => {
    await hook?.close()
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses loopback, private and metadata addresses in every spelling, and records why', async () => {
    const customer = platform.credentials.customer
    const port = hook.port
    const urls = [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`,
      `http://0:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://localhost:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.1/',
      'http://192.168.1.1/',
    ]
    const ids: string[] = []
    for (const url of urls) {
      const created = await api('POST', `/${customer}/subscription`, { url })
      expect(created.status).toBe(201)
      ids.push(String(created.body.id))
    }
    for (const [index, id] of ids.entries()) {
      const attempt = await waitUntil(async () => {
        const answer = await api('GET', `/${customer}/subscription/${id}/delivery`)
        return (answer.body as unknown as DeliveryView[])[0]?.attempts[0]
      })
      expect(attempt, urls[index]).toMatchObject({ outcome: 'refused', status_code: null })
      expect(attempt.error, urls[index]).toMatch(
        /^refused: .* is (loopback|unspecified|private|a cloud metadata)/,
      )
    }
    expect(hook.requests).toEqual([])
  }, 120_000)
})
