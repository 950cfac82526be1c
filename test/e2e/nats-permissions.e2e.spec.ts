import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectNats, freePort, type NatsConnection } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { type Answer, gatewayClient } from './support/gateway-client.js'

/** The fields of a bot's credentials file (the REST answer of its registration) this test uses. */
interface BotFile {
  id: string
  nats_url: string
  nats_user: string
  nats_password: string
  nats_jwt: string
  nats_seed: string
  nats_inbox_prefix: string
}

/** Runs `attempt` and answers the server's refusal (a permissions violation); fails if it went through. */
async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt()
  } catch (error) {
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      if (/Permissions Violation/.test(cause.message)) return cause.message
    }
    throw error
  }
  throw new Error('the NATS server let it through')
}

/** A JetStream API call over core NATS; rejects on a refused publish, answers the API's JSON otherwise. */
async function jsApi(
  nc: NatsConnection,
  subject: string,
  body: unknown = {},
): Promise<Record<string, unknown>> {
  const reply = await nc.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 10_000 })
  return reply.json<Record<string, unknown>>()
}

/** Subscribes and waits for the first message: a refused subscription rejects. */
async function firstMessage(nc: NatsConnection, subject: string): Promise<void> {
  for await (const _ of nc.subscribe(subject, { max: 1 })) return
}

// The platform as `npm start` runs it, with NATS authentication on: each bot holds a NATS user that
// the server lets do only that bot's own work.
describe('NATS permissions of bots', () => {
  let platform: Platform
  let dataDir: string
  let botA: BotFile
  let botB: BotFile
  let asA: NatsConnection
  let api: (method: string, path: string, body?: unknown) => Promise<Answer>

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-e2e-nats-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
    })
    const { gateway_url, admin_token } = platform.credentials
    const call = gatewayClient(gateway_url)
    api = (method, path, body) => call(method, path, { token: admin_token, json: body })
    // Bot A is the platform's local bot (a real agent process); bot B is registered here.
    botA = JSON.parse(await readFile(platform.botCredentialsFile, 'utf8')) as BotFile
    const registered = await api('POST', `/${platform.credentials.customer}/bot`, { name: 'other' })
    expect(registered.status).toBe(201)
    botB = registered.body as unknown as BotFile
    asA = await connectNats(botA.nats_url, {
      name: 'impersonation attempt by bot A',
      user: { jwt: botA.nats_jwt, seed: botA.nats_seed },
      inboxPrefix: botA.nats_inbox_prefix,
    })
  }, 180_000)

  afterAll(async () => {
    await asA?.close()
    await platform?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('hands each bot its own NATS user instead of a shared password', () => {
    for (const bot of [botA, botB]) {
      expect(bot.nats_jwt.split('.')).toHaveLength(3)
      expect(bot.nats_seed).toMatch(/^SU[A-Z2-7]+$/)
      expect(bot.nats_inbox_prefix).toBe(`_INBOX.${bot.id}`)
      expect(bot.nats_password).toBe('')
    }
    expect(botA.nats_jwt).not.toBe(botB.nats_jwt)
  })

  it('refuses connections without credentials or with a JWT whose seed is not its own', async () => {
    await expect(connectNats(botA.nats_url)).rejects.toThrow(/authorization/i)
    await expect(
      connectNats(botA.nats_url, { user: { jwt: botA.nats_jwt, seed: botB.nats_seed } }),
    ).rejects.toThrow(/authorization/i)
  })

  it("refuses bot A another bot's dispatches, its reports and heartbeats", async () => {
    const consumerB = `DISPATCH.bot-${botB.id}`
    expect(await refusal(() => jsApi(asA, `CONSUMER.INFO.${consumerB}`))).toContain(
      `Publish to "$JS.API.CONSUMER.INFO.${consumerB}"`,
    )
    expect(await refusal(() => jsApi(asA, `CONSUMER.MSG.NEXT.${consumerB}`, { batch: 1 }))).toContain(
      `Publish to "$JS.API.CONSUMER.MSG.NEXT.${consumerB}"`,
    )
    expect(await refusal(() => firstMessage(asA, `dispatch.${botB.id}`))).toContain(
      `Subscription to "dispatch.${botB.id}"`,
    )
    expect(await refusal(() => firstMessage(asA, `_INBOX.${botB.id}.>`))).toContain(
      `Subscription to "_INBOX.${botB.id}.>"`,
    )
    expect(await refusal(() => asA.request(`reports.${botB.id}`, 'forged', { timeout: 10_000 }))).toContain(
      `Publish to "reports.${botB.id}"`,
    )
    expect(
      await refusal(() => asA.request(`dispatch.${botA.id}`, 'self-made work', { timeout: 10_000 })),
    ).toContain(`Publish to "dispatch.${botA.id}"`)
    // A plain publish has no answer to reject: the refusal arrives as an error status of the connection.
    const heartbeatRefused = new Promise<string>((resolve) => {
      void (async () => {
        for await (const status of asA.status()) {
          if (status.type === 'error' && /heartbeats\./.test(String(status.error.message)))
            return resolve(status.error.message)
        }
      })()
    })
    asA.publish(`heartbeats.${botB.id}`, 'forged')
    await asA.flush()
    expect(await heartbeatRefused).toContain(`Publish to "heartbeats.${botB.id}"`)
  })

  it('refuses bot A the domain events: neither publishing nor reading them', async () => {
    expect(await refusal(() => asA.request('events.job.finished', 'forged', { timeout: 10_000 }))).toContain(
      'Publish to "events.job.finished"',
    )
    expect(await refusal(() => firstMessage(asA, 'events.>'))).toContain('Subscription to "events.>"')
    for (const call of [
      'STREAM.INFO.EVENTS',
      'STREAM.MSG.GET.EVENTS',
      'CONSUMER.CREATE.EVENTS',
      'STREAM.NAMES',
    ]) {
      expect(await refusal(() => jsApi(asA, call, {}))).toContain(`Publish to "$JS.API.${call}"`)
    }
  })

  it('lets each bot use its own consumer', async () => {
    const own = await jsApi(asA, `CONSUMER.INFO.DISPATCH.bot-${botA.id}`)
    expect(own.name).toBe(`bot-${botA.id}`)
    const asB = await connectNats(botB.nats_url, {
      user: { jwt: botB.nats_jwt, seed: botB.nats_seed },
      inboxPrefix: botB.nats_inbox_prefix,
    })
    try {
      expect((await jsApi(asB, `CONSUMER.INFO.DISPATCH.bot-${botB.id}`)).name).toBe(`bot-${botB.id}`)
      expect(await refusal(() => jsApi(asB, `CONSUMER.INFO.DISPATCH.bot-${botA.id}`))).toContain(
        `bot-${botA.id}`,
      )
    } finally {
      await asB.close()
    }
  })

  it('runs a job end to end on bot A with nothing but its own permissions', async () => {
    const { customer } = platform.credentials
    const script = await api('POST', `/${customer}/script`, {
      filename: 'whoami.sh',
      content: '#!/bin/sh\necho "ran on $1"\n',
    })
    expect(script.status).toBe(201)
    const task = await api('POST', `/${customer}/task`, {
      name: 'where am I',
      host_id: botA.id,
      script_id: script.body.id,
      task_arguments: [{ order: 0, type: 'input', label: 'bot' }],
    })
    expect(task.status).toBe(201)
    const run = await api('POST', `/${customer}/task/${task.body.id}/job`, { task_arguments: ['bot A'] })
    expect(run.status).toBe(201)

    let job = run.body
    for (let i = 0; i < 600 && job.lifecycle !== 'finished' && job.lifecycle !== 'terminated'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      job = (await api('GET', `/${customer}/job/${run.body.id}`)).body
    }
    expect(job).toMatchObject({ lifecycle: 'finished', state: 'success', host_id: botA.id })
    expect(job.output).toEqual(['ran on bot A'])

    const bots = (await api('GET', `/${customer}/bot`)).json as { id: string; online: boolean }[]
    expect(bots.find((bot) => bot.id === botA.id)?.online).toBe(true)
  })
})
