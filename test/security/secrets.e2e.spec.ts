import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { issueNatsUser, natsAuthFiles, parseNatsOperatorSetup } from '@taskforge/nats-operator'
import { connectNats, freePort, type NatsConnection, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { expectStatus, idOf, issueToken } from '../e2e/support/fixtures.js'
import { type GatewayCall, gatewayClient } from '../e2e/support/gateway-client.js'

/** Printed by the script, whole and in two writes a second apart; never to be seen outside the bot. */
const SECRET = `S3cr3t-pa55word-${Math.random().toString(36).slice(2, 10)}`
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex')
/** A plain variable: shown to admins, masked for others, never in a webhook. */
const REGION = `eu-private-${Math.random().toString(36).slice(2, 8)}`

const SCRIPT = `#!/bin/sh
echo "whole: $DB_PASSWORD"
printf 'split: %s' "$(printf '%s' "$DB_PASSWORD" | cut -c1-9)"
sleep 1
printf '%s\\n' "$(printf '%s' "$DB_PASSWORD" | cut -c10-)"
echo "stderr: $DB_PASSWORD" >&2
echo "sha256: $(printf '%s' "$DB_PASSWORD" | sha256sum | cut -d' ' -f1)"
echo "region: $REGION"
`

interface StoredMessage {
  subject: string
  data: Buffer
}

/** Every message a stream holds, through the JetStream API over core NATS. */
async function streamMessages(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const found: StoredMessage[] = []
  for (let seq = 1; ; ) {
    const reply = await nc.request(
      `$JS.API.STREAM.MSG.GET.${stream}`,
      JSON.stringify({ seq, next_by_subj: '>' }),
      {
        timeout: 10_000,
      },
    )
    const answer = reply.json<{ message?: { subject: string; seq: number; data?: string } }>()
    if (answer.message === undefined) return found
    found.push({ subject: answer.message.subject, data: Buffer.from(answer.message.data ?? '', 'base64') })
    seq = answer.message.seq + 1
  }
}

// Decision 18, on the platform as `npm start` runs it with its real bot: env values for admins only,
// secret variables write-only, their values redacted from everything a job's output becomes, and
// no secret in clear on the EVENTS stream.
describe('secrets stay secret', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let customer: string
  let admin: string
  let user: string
  let viewer: string
  let receiver: TestReceiver
  let observer: NatsConnection
  let taskId: string
  let job: Record<string, unknown>

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-security-secrets-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      log: () => {},
      env: { WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8' },
    })
    call = gatewayClient(platform.credentials.gateway_url)
    customer = platform.credentials.customer
    admin = platform.credentials.admin_token
    user = (await issueToken(call, customer, admin, { name: 'runner', role: 'user' })).token
    viewer = (await issueToken(call, customer, admin, { name: 'watcher', role: 'viewer' })).token

    const bot = JSON.parse(await readFile(platform.botCredentialsFile, 'utf8')) as { nats_url: string }
    const setup = parseNatsOperatorSetup(await readFile(natsAuthFiles(dataDir).operator, 'utf8'))
    observer = await connectNats(bot.nats_url, {
      name: 'secrets observer',
      creds: (await issueNatsUser(setup, 'secrets observer')).creds,
    })

    receiver = await TestReceiver.start()
    await expectStatus(call, 201, 'POST', `/${customer}/subscription`, {
      token: admin,
      json: { url: `${receiver.origin}/hook`, events: ['task.create', 'task.update', 'job.finish'] },
    })

    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: admin,
      json: { filename: 'secrets.sh', content: SCRIPT },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      token: admin,
      json: {
        name: 'uses a password',
        host_id: platform.credentials.bot.id,
        script_id: idOf(script),
        env: { REGION },
        secret_env: { DB_PASSWORD: SECRET },
      },
    })
    taskId = idOf(task)
    const run = await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/job`, {
      token: user,
      json: {},
    })
    job = await waitUntil(
      async () => {
        const answer = await call('GET', `/${customer}/job/${idOf(run)}`, { token: admin })
        return answer.body.lifecycle === 'finished' ? answer.body : undefined
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'the job to finish' },
    )
  }, 240_000)

  afterAll(async () => {
    await observer?.close()
    await receiver?.close()
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 120_000)

  it('shows env values to admins only; secret values to no one', async () => {
    for (const [token, env] of [
      [admin, { REGION }],
      [user, { REGION: '****' }],
      [viewer, { REGION: '****' }],
    ] as const) {
      const one = await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}`, { token })
      expect(one.body).toMatchObject({ env, secret_env: { DB_PASSWORD: '****' } })
      const list = await expectStatus(call, 200, 'GET', `/${customer}/task`, { token })
      expect((list.json as Record<string, unknown>[]).find((t) => t.id === taskId)).toMatchObject({ env })
      expect(one.text + list.text).not.toContain(SECRET)
      if (token !== admin) expect(one.text + list.text).not.toContain(REGION)
    }
    const recipe = await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}/recipe`, {
      token: admin,
    })
    expect(recipe.body.task).toMatchObject({ env: { REGION: '' }, secret_env: { DB_PASSWORD: '' } })
    expect(recipe.text).not.toContain(SECRET)
    expect(recipe.text).not.toContain(REGION)
  })

  it('runs the script with the secret, and keeps it out of the output, the log and its raw bytes', async () => {
    expect(job).toMatchObject({ state: 'success' })
    const output = job.output as string[]
    expect(output).toEqual(
      expect.arrayContaining(['whole: ****', 'split: ****', `sha256: ${SECRET_SHA256}`, `region: ${REGION}`]),
    )
    expect(JSON.stringify(job)).not.toContain(SECRET)
    const log = await expectStatus(call, 200, 'GET', `/${customer}/job/${job.id}/log`, { token: admin })
    expect(log.text).toContain('split: ****\n')
    expect(log.text).toContain('stderr: ****\n')
    expect(log.text).not.toContain(SECRET)
    const raw = await fetch(`${platform.gatewayUrl}/${customer}/job/${job.id}/log?raw=true`, {
      headers: { authorization: `Bearer ${admin}` },
    })
    const bytes = Buffer.from(await raw.arrayBuffer())
    expect(raw.status).toBe(200)
    expect(bytes.includes(Buffer.from('split: ****\n'))).toBe(true)
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false)
    // Not even half of it: the first write ended inside the value.
    expect(bytes.includes(Buffer.from(SECRET.slice(0, 9)))).toBe(false)
  })

  it('keeps secret values write-only: a task written back as read keeps them, null removes one', async () => {
    const read = await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}`, { token: admin })
    const {
      id: _id,
      customer: _customer,
      version: _v,
      creation_date: _c,
      last_update: _l,
      ...body
    } = read.body
    await expectStatus(call, 200, 'PUT', `/${customer}/task/${taskId}`, {
      token: admin,
      json: { ...body, description: 'written back as read' },
    })
    const again = await expectStatus(call, 201, 'POST', `/${customer}/task/${taskId}/job`, {
      token: admin,
      json: {},
    })
    const ended = await waitUntil(
      async () => {
        const answer = await call('GET', `/${customer}/job/${idOf(again)}`, { token: admin })
        return answer.body.lifecycle === 'finished' ? answer.body : undefined
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'the second job to finish' },
    )
    expect(ended.output).toContain(`sha256: ${SECRET_SHA256}`)

    const patched = await expectStatus(call, 200, 'PATCH', `/${customer}/task/${taskId}`, {
      token: admin,
      json: { secret_env: { DB_PASSWORD: null, API_TOKEN: 'another-secret-value' } },
    })
    expect(patched.body.secret_env).toEqual({ API_TOKEN: '****' })
    expect(patched.text).not.toContain('another-secret-value')
    const kept = await call('PATCH', `/${customer}/task/${taskId}`, {
      token: admin,
      json: { secret_env: { NEVER_SET: '****' } },
    })
    expect(kept.status).toBe(422)
    const both = await call('PATCH', `/${customer}/task/${taskId}`, {
      token: admin,
      json: { env: { API_TOKEN: 'plain' } },
    })
    expect(both.status).toBe(422)
    const forbidden = await call('PATCH', `/${customer}/task/${taskId}`, {
      token: user,
      json: { secret_env: { API_TOKEN: 'mine now' } },
    })
    expect(forbidden.status).toBe(403)
  })

  it('sends webhooks without env values and without the secret in the job’s log', async () => {
    const bodies = await waitUntil(
      () => {
        const received = receiver.requests.map((request) => request.body)
        return received.some((body) => body.includes('"job.finish"')) ? received : undefined
      },
      { timeoutMs: 60_000, message: 'task.create and job.finish at the receiver' },
    )
    const created = bodies.map((body) => JSON.parse(body)).find((body) => body.event_name === 'task.create')
    expect(created.event_data.task).toMatchObject({
      env: { REGION: '****' },
      secret_env: { DB_PASSWORD: '****' },
    })
    const finished = bodies.map((body) => JSON.parse(body)).find((body) => body.event_name === 'job.finish')
    expect(JSON.stringify(finished)).toContain('split: ****')
    for (const body of bodies) expect(body).not.toContain(SECRET)
    for (const body of bodies.filter((text) => text.includes('"task.'))) expect(body).not.toContain(REGION)
  })

  it('puts no secret in clear on the EVENTS stream, nor in the reports of the bot', async () => {
    const { secret: taskKey } = (
      await expectStatus(call, 200, 'GET', `/${customer}/task/${taskId}/credentials`, { token: admin })
    ).body as { secret: string }
    const webhook = await expectStatus(call, 201, 'POST', `/${customer}/webhook`, {
      token: admin,
      json: { name: 'deploys' },
    })
    const webhookSecret = String(webhook.body.secret)
    const rotated = await expectStatus(call, 200, 'POST', `/${customer}/task/${taskId}/credentials/rotate`, {
      token: admin,
    })
    const newKey = String(rotated.body.secret)
    const clear = [SECRET, 'another-secret-value', taskKey, newKey, webhookSecret]
    const events = await waitUntil(
      async () => {
        const messages = await streamMessages(observer, 'EVENTS')
        // Wait for the last of them: the webhook and the rotation.
        const webhookId = Buffer.from(idOf(webhook))
        return messages.some((m) => m.subject.startsWith('events.webhook.') && m.data.includes(webhookId)) &&
          messages.some((m) => m.subject === 'events.task.secretRotated')
          ? messages
          : undefined
      },
      { timeoutMs: 30_000, message: 'the webhook and the rotation on EVENTS' },
    )
    expect(events.length).toBeGreaterThan(10)
    for (const message of [...events, ...(await streamMessages(observer, 'REPORTS'))]) {
      for (const value of clear) {
        expect(message.data.includes(Buffer.from(value)), `${message.subject} holds a secret in clear`).toBe(
          false,
        )
      }
    }
  })
})
