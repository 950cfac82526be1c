import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LIMIT_TABLE } from '@taskforge/core'
import { BotReport } from '@taskforge/proto/bots/v1/protocol'
import { freePort, type NatsConnection, waitUntil } from '@taskforge/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { gatewayClient } from '../e2e/support/gateway-client.js'
import { expectLimitHeld, type LimitFixture, limitFixture, limitSender } from '../e2e/support/limit-inputs.js'
import {
  type BotCredentials,
  connectAsBot,
  createTenant,
  quarantineListing,
  type Task,
  Tenant,
  victimStillRuns,
} from './support/tenants.js'

// The hostile-input suite: the platform as `npm start` runs it, real bots running real scripts, and
// one organization (`hostile`) sending the worst it can: through the REST API, through its scripts'
// output, and straight to NATS with its own bot's credentials. After each attack another
// organization (the development one, with the local bot) must still have its runs answer 201 and
// finish; and so again after every service was killed and started again.

const SERVICES = ['gateway', 'task-catalog', 'job-scheduler', 'bot-dispatch', 'webhook-relay'] as const

describe('hostile input', () => {
  let platform: Platform
  let dataDir: string
  let logFile: string
  let log: ReturnType<typeof createWriteStream>
  let victim: Tenant
  let victimTask: Task
  let hostile: Tenant
  let hostileBot: BotCredentials
  let asHostileBot: NatsConnection
  let printer: Task | undefined
  let limits: LimitFixture | undefined
  let failed = true

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-hostile-'))
    logFile = join(dataDir, 'platform.log')
    log = createWriteStream(logFile)
    platform = await startPlatform({
      dataDir: join(dataDir, 'platform'),
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
      env: { LOG_LEVEL: process.env.HOSTILE_LOG_LEVEL ?? 'warn' },
      log: (line) => log.write(`${line}\n`),
    })
    const { customer, admin_token, bot } = platform.credentials
    victim = new Tenant(customer, admin_token, platform.gatewayUrl, dataDir)
    victimTask = await victim.createTask(bot.id, 'echo "still running"\n')
    hostile = await createTenant(platform, 'hostile', dataDir)
    hostileBot = await hostile.registerBot('hostile-host')
    await hostile.startBot(hostileBot.id)
    asHostileBot = await connectAsBot(hostileBot)
  }, 240_000)

  afterAll(async () => {
    await asHostileBot?.close()
    await Promise.allSettled((hostile?.bots ?? []).map((bot) => bot.stop(10_000)))
    await platform?.stop()
    await new Promise((resolve) => log?.end(resolve))
    if (failed) console.log(`hostile suite: platform log kept in ${logFile}`)
    else if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 180_000)

  /** Reports a hostile bot host can publish on its own subject: each is refused or set aside. */
  async function publishHostileReports(): Promise<number> {
    const subject = `reports.${hostileBot.id}`
    const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index)
    const victimJob = await victimTask.run()
    const forged = (report: Partial<BotReport>) =>
      BotReport.encode(
        BotReport.fromPartial({
          reportId: `forged-${Math.random()}`,
          botId: hostileBot.id,
          customer: hostile.customer,
          sentAt: new Date(),
          ...report,
        }),
      ).finish()
    const payloads = [
      everyByte,
      new Uint8Array(0),
      new TextEncoder().encode('{"not":"protobuf"}'),
      // Another organization's job, as if this bot ran it.
      forged({
        customer: victim.customer,
        jobId: victimJob.id,
        report: { $case: 'finished', value: { state: 'failure', result: undefined, output: ['forged'] } },
      }),
      // A job that does not exist, with output near the most this bot's user may publish (decision 19).
      forged({
        jobId: '0190d3a0-0000-7000-8000-000000000000',
        report: {
          $case: 'output',
          value: {
            seq: 1,
            stream: 'stdout',
            text: 'x'.repeat((asHostileBot.info?.max_payload ?? 0) - 1_024),
          },
        },
      }),
    ]
    // A JetStream publish is a request whose answer is the stream's ack.
    for (const payload of payloads) {
      const ack = (await asHostileBot.request(subject, payload, { timeout: 10_000 })).json<{
        stream?: string
      }>()
      expect(ack.stream).toBe('REPORTS')
    }
    // Over the user's max_payload: the client refuses it before it leaves, and the connection stays usable.
    expect(() => asHostileBot.publish(subject, new Uint8Array(2 * 1024 * 1024))).toThrow(/max_payload/)
    asHostileBot.publish(`heartbeats.${hostileBot.id}`, everyByte)
    await asHostileBot.flush()
    expect((await victim.endOf(victimJob.id)).lifecycle).toBe('finished')
    return payloads.length
  }

  it('sets aside what a bot publishes straight to NATS, and other organizations run on', async () => {
    const before = (await quarantineListing(platform)).items.length
    await publishHostileReports()
    // The undecodable ones (every byte, JSON; an empty message decodes as an empty report) are set aside.
    const listing = await waitUntil(
      async () => {
        const current = await quarantineListing(platform)
        return current.items.length >= before + 2 ? current : false
      },
      { timeoutMs: 60_000, message: 'undecodable reports to be quarantined' },
    )
    expect(listing.unavailable).toEqual([])
    expect(listing.items.filter((item) => item.service === 'job-scheduler')).not.toEqual([])
    for (const item of listing.items) expect(item.pipeline).toMatch(/^consumer:REPORTS\//)
    await victimStillRuns(victim, victimTask)
  })

  it('lets only the operator list and replay what was set aside; a replay that still fails keeps it there', async () => {
    const [item] = (await quarantineListing(platform)).items
    expect(item).toBeDefined()
    for (const tenant of [victim, hostile]) {
      expect((await tenant.call('GET', '/admin/quarantine')).status).toBe(403)
      expect(
        (await tenant.call('POST', `/admin/quarantine/${item!.service}/${item!.id}/replay`)).status,
      ).toBe(403)
    }
    const operator = (method: string, path: string) =>
      new Tenant('', platform.rootToken, platform.gatewayUrl, dataDir).call(method, path)
    const replay = await operator('POST', `/admin/quarantine/${item!.service}/${item!.id}/replay`)
    expect(replay.status, replay.text).toBe(409)
    expect(replay.body).toMatchObject({ code: 'INVALID_STATE' })
    expect((await operator('POST', `/admin/quarantine/nowhere/${item!.id}/replay`)).status).toBe(404)
    expect((await operator('POST', `/admin/quarantine/${item!.service}/not-an-id/replay`)).status).toBe(404)
    expect((await operator('GET', '/admin/quarantine?status=lost')).status).toBe(400)
    const still = (await quarantineListing(platform)).items.find((each) => each.id === item!.id)
    expect(still).toMatchObject({ status: 'quarantined' })
    expect(still?.replay_error).toMatch(/BAD_REQUEST/)
  })

  /** A job's log as the API gives it: the text, and the exact bytes (`?raw=true`). */
  async function logOf(jobId: string): Promise<{ text: string; raw: Uint8Array }> {
    const read = async (query: string) => {
      const response = await fetch(`${platform.gatewayUrl}/${hostile.customer}/job/${jobId}/log${query}`, {
        headers: { authorization: `Bearer ${hostile.token}` },
      })
      expect(response.status).toBe(200)
      return new Uint8Array(await response.arrayBuffer())
    }
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await read(''))
    return { text, raw: await read('?raw=true') }
  }

  /** Byte fuzz of a script's output: whatever it prints finishes, reads back well formed, and raw exact. */
  async function fuzzOutput(numRuns: number): Promise<void> {
    printer ??= await hostile.createTask(hostileBot.id, '#!/bin/sh\nprintf "%s" "$1" | base64 -d\n', {
      task_arguments: [{ order: 0, type: 'input', label: 'bytes' }],
      multitasking: true,
    })
    const task = printer
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        const job = await task.run([Buffer.from(bytes).toString('base64')])
        expect(await hostile.endOf(job.id)).toMatchObject({ lifecycle: 'finished', state: 'success' })
        const { text, raw } = await logOf(job.id)
        expect([...raw]).toEqual([...bytes])
        expect(text.isWellFormed()).toBe(true)
        expect(text).not.toContain('\u0000')
      }),
      { numRuns },
    )
    await victimStillRuns(victim, victimTask)
  }

  /** Every input limit at N (accepted) and N + 1 (refused), each followed by another organization's run. */
  async function probeLimits(): Promise<void> {
    const call = gatewayClient(platform.gatewayUrl)
    limits ??= await limitFixture(
      call,
      {
        customer: hostile.customer,
        adminToken: hostile.token,
        rootToken: platform.rootToken,
        botId: hostileBot.id,
      },
      '#!/bin/sh\necho "$#"\n',
    )
    const send = limitSender(platform.gatewayUrl, call)
    for (const limit of LIMIT_TABLE) {
      await expectLimitHeld(limit, limits, send)
      await victimStillRuns(victim, victimTask)
    }
  }

  it('stores, shows and gives back whatever bytes a script prints (any byte arrays), and other organizations run on', async () => {
    await fuzzOutput(30)
  }, 300_000)

  it('finishes a script printing to its output limit, on both streams, without a newline', async () => {
    const flood = await hostile.createTask(
      hostileBot.id,
      "#!/bin/sh\nhead -c 3000000 /dev/urandom\nhead -c 500000 /dev/zero | tr '\\0' '\\r' >&2\n",
    )
    const job = await flood.run()
    expect(await hostile.endOf(job.id)).toMatchObject({ lifecycle: 'finished', state: 'success' })
    const { text, raw } = await logOf(job.id)
    expect(raw.byteLength).toBeGreaterThan(0)
    expect(raw.byteLength).toBeLessThanOrEqual(3_500_000)
    expect(text.isWellFormed()).toBe(true)
    await victimStillRuns(victim, victimTask)
  })

  it('holds every input to its limit (N accepted, N + 1 refused), and other organizations run on', async () => {
    await probeLimits()
  }, 600_000)

  it("counts what was set aside in the services' /metrics", async () => {
    const port = platform.internalPorts.get('job-scheduler')?.health
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    const waiting =
      /^taskforge_quarantine_items\{[^}]*pipeline="consumer:REPORTS\/job-scheduler-reports"[^}]*\} (\d+)/m.exec(
        text,
      )
    expect(Number(waiting?.[1] ?? 0)).toBeGreaterThan(0)
    expect(text).toMatch(
      /^taskforge_quarantined_total\{[^}]*pipeline="consumer:REPORTS\/job-scheduler-reports"/m,
    )
  })

  it('still runs other organizations after every service and nats-server were killed and started again, and holds against every attack again', async () => {
    for (const name of [...SERVICES, 'nats']) {
      await platform.kill(name)
      await platform.restart(name)
      await victimStillRuns(victim, victimTask)
    }
    // The hostile bot's own connection went with nats-server.
    await asHostileBot.close().catch(() => undefined)
    asHostileBot = await connectAsBot(hostileBot)
    const listing = await quarantineListing(platform)
    expect(listing.unavailable).toEqual([])
    expect(listing.items.length).toBeGreaterThan(0)
    // Every attack again, on the restarted platform.
    await publishHostileReports()
    await fuzzOutput(10)
    await probeLimits()
    await victimStillRuns(victim, victimTask)
    failed = false
  }, 900_000)
})
