import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentSha256 } from '@taskforge/core'
import { issueNatsUser, natsAuthFiles, parseNatsOperatorSetup } from '@taskforge/nats-operator'
import { DispatchJob, ScriptContentReply, ScriptContentRequest } from '@taskforge/proto/bots/v1/protocol'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { connectNats, freePort, type NatsConnection, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { type Answer, gatewayClient } from './support/gateway-client.js'

/** The fields of a bot's credentials file (the REST answer of its registration) this test uses. */
interface BotFile {
  id: string
  customer: string
  nats_url: string
  nats_jwt: string
  nats_seed: string
  nats_inbox_prefix: string
}

interface Job {
  id: string
  lifecycle: string
  state: string
  output: string[]
}

/** A message of a stream read through the JetStream API (what `STREAM.MSG.GET` answers). */
interface StoredMessage {
  subject: string
  seq: number
  data: Buffer
}

/** Every message of `stream` on `subject` (a filter), through the JetStream API over core NATS. */
async function streamMessages(nc: NatsConnection, stream: string, subject: string): Promise<StoredMessage[]> {
  const found: StoredMessage[] = []
  for (let seq = 1; ; ) {
    const reply = await nc.request(
      `$JS.API.STREAM.MSG.GET.${stream}`,
      JSON.stringify({ seq, next_by_subj: subject }),
      { timeout: 10_000 },
    )
    const answer = reply.json<{
      message?: { subject: string; seq: number; data?: string }
      error?: { code: number }
    }>()
    if (answer.message === undefined) {
      expect(answer.error?.code).toBe(404)
      return found
    }
    found.push({ ...answer.message, data: Buffer.from(answer.message.data ?? '', 'base64') })
    seq = answer.message.seq + 1
  }
}

/** Asks for a part of a content on `scripts.<bot>`, as the bot agent does; answers the reply's result. */
async function askContent(nc: NatsConnection, botId: string, request: Partial<ScriptContentRequest>) {
  const reply = await nc.request(
    `scripts.${botId}`,
    ScriptContentRequest.encode({ customer: '', sha256: '', offset: 0, ...request }).finish(),
    { timeout: 10_000 },
  )
  return ScriptContentReply.decode(reply.data).result
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

// The platform as `npm start` runs it (NATS authentication on, the local bot a real agent process):
// a job names its script by the content's hash, and the bot fetches the content from the catalog.
describe('jobs carry their script by reference', () => {
  let platform: Platform
  let dataDir: string
  let api: (method: string, path: string, body?: unknown, token?: string) => Promise<Answer>
  let customer: string
  let local: BotFile
  let other: { customer: string; token: string; bot: BotFile }
  /** A user of the platform's account with no restriction, as a service has: it watches the subjects. */
  let observer: NatsConnection
  const fetches: (ScriptContentRequest & { botId: string })[] = []
  const marker = `marker-${Math.random().toString(36).slice(2)}`
  const jobIds: string[] = []
  const shas: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-e2e-script-ref-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
      log: () => {},
    })
    const call = gatewayClient(platform.credentials.gateway_url)
    api = (method, path, body, token = platform.credentials.admin_token) =>
      call(method, path, { token, json: body })
    customer = platform.credentials.customer
    local = JSON.parse(await readFile(platform.botCredentialsFile, 'utf8')) as BotFile

    const org = await api('POST', '/admin/customers', { name: 'elsewhere' }, platform.rootToken)
    expect(org.status).toBe(201)
    const token = String(org.body.admin_token)
    const bot = await api('POST', '/elsewhere/bot', { name: 'theirs' }, token)
    expect(bot.status).toBe(201)
    other = { customer: 'elsewhere', token, bot: bot.body as unknown as BotFile }

    const setup = parseNatsOperatorSetup(await readFile(natsAuthFiles(dataDir).operator, 'utf8'))
    observer = await connectNats(local.nats_url, {
      name: 'script request observer',
      creds: (await issueNatsUser(setup, 'test observer')).creds,
    })
    observer.subscribe('scripts.*', {
      callback: (_error, msg) => {
        fetches.push({
          ...ScriptContentRequest.decode(msg.data),
          botId: msg.subject.slice('scripts.'.length),
        })
      },
    })
    await observer.flush()
  }, 240_000)

  afterAll(async () => {
    await observer?.close()
    await platform?.stop()
    await rm(dataDir, { recursive: true, force: true })
  }, 120_000)

  const endOf = (id: string) =>
    waitUntil(
      async () => {
        const job = (await api('GET', `/${customer}/job/${id}`)).body as unknown as Job
        return ['finished', 'terminated', 'canceled'].includes(job.lifecycle) ? job : false
      },
      { timeoutMs: 60_000, intervalMs: 100, message: `job ${id} to end` },
    )

  const run = async (taskId: string) => {
    const answer = await api('POST', `/${customer}/task/${taskId}/job`, { task_arguments: [] })
    expect(answer.status).toBe(201)
    const id = String(answer.body.id)
    jobIds.push(id)
    return endOf(id)
  }

  const fetchesOf = (sha256: string) => fetches.filter((request) => request.sha256 === sha256)

  it('runs a job with its script fetched by hash once, and an updated script with its new content', async () => {
    // The marker is in the scripts but never printed: no job event may hold it.
    const first = `#!/bin/sh\n# ${marker}\necho first\n`
    const script = await api('POST', `/${customer}/script`, { filename: 'ref.sh', content: first })
    expect(script.status).toBe(201)
    const task = await api('POST', `/${customer}/task`, {
      name: 'by reference',
      host_id: local.id,
      script_id: script.body.id,
    })
    expect(task.status).toBe(201)
    const taskId = String(task.body.id)
    const firstSha = contentSha256(Buffer.from(first))
    shas.push(firstSha)

    expect(await run(taskId)).toMatchObject({ state: 'success', output: ['first'] })
    expect(fetchesOf(firstSha)).toEqual([{ botId: local.id, customer, sha256: firstSha, offset: 0 }])
    // Kept on the bot's disk under its hash, as fetched.
    expect((await readFile(join(dataDir, 'bot', 'scripts', firstSha))).toString()).toBe(first)

    // The second job of the same script runs what the bot already holds.
    expect(await run(taskId)).toMatchObject({ state: 'success', output: ['first'] })
    expect(fetchesOf(firstSha)).toHaveLength(1)

    const second = `#!/bin/sh\n# ${marker}\necho second\n`
    const updated = await api('PUT', `/${customer}/script/${script.body.id}`, {
      filename: 'ref.sh',
      content: second,
    })
    expect(updated.status).toBe(200)
    const secondSha = contentSha256(Buffer.from(second))
    shas.push(secondSha)
    expect(await run(taskId)).toMatchObject({ state: 'success', output: ['second'] })
    expect(fetchesOf(secondSha)).toEqual([{ botId: local.id, customer, sha256: secondSha, offset: 0 }])
  })

  it("keeps the script's content out of the job events and the bot's dispatches", async () => {
    expect(jobIds).toHaveLength(3)
    const jobEvents = (await streamMessages(observer, 'EVENTS', 'events.job.>'))
      .map((message) => ({ message, envelope: Envelope.decode(message.data) }))
      .filter(({ envelope }) => jobIds.includes(envelope.streamId))
    const specs = jobEvents.flatMap(({ envelope }) => {
      const event = JobEvent.decode(envelope.data).event
      return event?.$case === 'queued' || event?.$case === 'assigned' ? [event.value.spec] : []
    })
    expect(specs).toHaveLength(jobIds.length * 2)
    for (const spec of specs) {
      expect(spec?.scriptContent).toHaveLength(0)
      expect(shas).toContain(spec?.scriptSha256)
    }
    const dispatches = await streamMessages(observer, 'DISPATCH', `dispatch.${local.id}`)
    expect(dispatches).toHaveLength(jobIds.length)
    for (const message of dispatches) {
      const dispatch = DispatchJob.decode(message.data)
      // Left unset, so that an agent from before jobs named their script by hash drops the dispatch.
      expect(dispatch.spec).toBeUndefined()
      expect(dispatch.jobSpec?.scriptContent).toHaveLength(0)
      expect(shas).toContain(dispatch.jobSpec?.scriptSha256)
    }
    for (const { message } of [...jobEvents, ...dispatches.map((message) => ({ message }))]) {
      expect(message.data.includes(marker)).toBe(false)
    }
  })

  it("gives no bot another organization's script", async () => {
    const theirs = `#!/bin/sh\necho "theirs ${marker}"\n`
    const created = await api(
      'POST',
      `/${other.customer}/script`,
      { filename: 'theirs.sh', content: theirs },
      other.token,
    )
    expect(created.status).toBe(201)
    const theirSha = contentSha256(Buffer.from(theirs))
    const [ourSha] = shas

    const asLocal = await connectNats(local.nats_url, {
      name: `bot ${local.id} asking for another organization's script`,
      user: { jwt: local.nats_jwt, seed: local.nats_seed },
      inboxPrefix: local.nats_inbox_prefix,
    })
    const asOther = await connectNats(other.bot.nats_url, {
      name: `bot ${other.bot.id} asking for another organization's script`,
      user: { jwt: other.bot.nats_jwt, seed: other.bot.nats_seed },
      inboxPrefix: other.bot.nats_inbox_prefix,
    })
    try {
      // Each bot gets its own organization's content with its own credentials...
      expect(await askContent(asLocal, local.id, { customer, sha256: ourSha })).toMatchObject({
        $case: 'part',
      })
      expect(
        await askContent(asOther, other.bot.id, { customer: other.customer, sha256: theirSha }),
      ).toMatchObject({ $case: 'part', value: { data: Buffer.from(theirs) } })
      // ...and nothing of the other's, whatever organization it claims to be of.
      expect(await askContent(asLocal, local.id, { customer, sha256: theirSha })).toMatchObject({
        $case: 'error',
        value: { code: 'NOT_FOUND' },
      })
      expect(
        await askContent(asLocal, local.id, { customer: other.customer, sha256: theirSha }),
      ).toMatchObject({
        $case: 'error',
        value: { code: 'FORBIDDEN' },
      })
      expect(
        await askContent(asOther, other.bot.id, { customer: other.customer, sha256: ourSha }),
      ).toMatchObject({ $case: 'error', value: { code: 'NOT_FOUND' } })
      // Nor may a bot ask in another bot's name, or listen to the others' requests.
      expect(await refusal(() => askContent(asOther, local.id, { customer, sha256: ourSha }))).toContain(
        `Publish to "scripts.${local.id}"`,
      )
      const listened = new Promise<string>((resolve) => {
        void (async () => {
          for await (const status of asOther.status()) {
            if (status.type === 'error' && /scripts\./.test(String(status.error.message)))
              return resolve(status.error.message)
          }
        })()
      })
      asOther.subscribe('scripts.*')
      await asOther.flush().catch(() => {})
      expect(await listened).toContain('Subscription to "scripts.*"')
    } finally {
      await asLocal.close()
      await asOther.close().catch(() => {})
    }
  })
})
