import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BotReport, Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { connectNats, freePort, type NatsConnection, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { expectStatus, idOf } from '../e2e/support/fixtures.js'
import { type GatewayCall, gatewayClient } from '../e2e/support/gateway-client.js'

// Bots are revocable and bounded (decision 19), on the platform as `npm start` runs it, with its
// real local bot doing the work and raw NATS clients holding other bots' own credentials.

interface BotCredentials {
  id: string
  nats_url: string
  nats_jwt: string
  nats_seed: string
  nats_inbox_prefix: string
}

const JOBS = 12

describe('security: bots are revocable and bounded', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let customer: string
  let admin: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-security-bots-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      log: () => {},
    })
    call = gatewayClient(platform.credentials.gateway_url)
    customer = platform.credentials.customer
    admin = platform.credentials.admin_token
  }, 240_000)

  afterAll(async () => {
    await platform?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 120_000)

  const register = async (name: string) =>
    (await expectStatus(call, 201, 'POST', `/${customer}/bot`, { token: admin, json: { name } }))
      .body as unknown as BotCredentials
  const connectAs = (bot: BotCredentials) =>
    connectNats(bot.nats_url, {
      name: `bot ${bot.id}`,
      user: { jwt: bot.nats_jwt, seed: bot.nats_seed },
      inboxPrefix: bot.nats_inbox_prefix,
    })

  it("refuses a deleted bot's credentials and closes its open connection", async () => {
    const bot = await register('to-delete')
    const open = await connectAs(bot)
    const closed = open.closed()
    await expectStatus(call, 204, 'DELETE', `/${customer}/bot/${bot.id}`, { token: admin })
    expect(String(await closed)).toMatch(/revoked|authoriz/i)
    await expect(connectAs(bot)).rejects.toThrow(/authoriz/i)
    const list = await expectStatus(call, 200, 'GET', `/${customer}/bot`, { token: admin })
    expect((list.json as { id: string }[]).map((b) => b.id)).not.toContain(bot.id)
    await expectStatus(call, 404, 'DELETE', `/${customer}/bot/${bot.id}`, { token: admin })
  })

  it('refuses the old credentials of a rotated bot, and takes the new ones', async () => {
    const bot = await register('to-rotate')
    const open = await connectAs(bot)
    const closed = open.closed()
    const rotated = (
      await expectStatus(call, 200, 'POST', `/${customer}/bot/${bot.id}/credentials`, { token: admin })
    ).body as unknown as BotCredentials
    expect(rotated.id).toBe(bot.id)
    expect(rotated.nats_seed).not.toBe(bot.nats_seed)
    expect(String(await closed)).toMatch(/revoked|authoriz/i)
    await expect(connectAs(bot)).rejects.toThrow(/authoriz/i)
    const fresh = await connectAs(rotated)
    await fresh.flush()
    await fresh.close()
  })

  // Each undecodable report would be a quarantine row, each forged one a read of a job's stream:
  // the bot's budget of failed reports drops the rest unread (decision 19), and /metrics counts them.
  it("finishes another bot's jobs while a bot floods reports and heartbeats with its own credentials", async () => {
    const flooder = await register('flooder')
    const nc: NatsConnection = await connectAs(flooder)
    const heartbeat = Heartbeat.encode(
      Heartbeat.fromPartial({ botId: flooder.id, customer, runningJobIds: [randomUUID()] }),
    ).finish()
    const forged = (jobId: string) =>
      BotReport.encode(
        BotReport.fromPartial({
          reportId: randomUUID(),
          botId: flooder.id,
          customer,
          jobId,
          sequence: 1,
          report: { $case: 'finished', finished: { state: 'success', output: [] } },
        } as never),
      ).finish()
    let flooding = true
    let sent = 0
    const flood = (async () => {
      while (flooding && !nc.isClosed()) {
        for (let i = 0; i < 200; i++) {
          nc.publish(`heartbeats.${flooder.id}`, heartbeat)
          nc.publish(
            `reports.${flooder.id}`,
            i % 2 === 0 ? forged(randomUUID()) : new Uint8Array([0xff, 0x01, 0x02]),
          )
          sent += 2
        }
        await nc.flush()
      }
    })()

    try {
      const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
        token: admin,
        json: { filename: 'work.sh', content: 'sleep 1\necho done\n' },
      })
      const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: {
          name: 'under flood',
          host_id: platform.credentials.bot.id,
          script_id: idOf(script),
          multitasking: true,
        },
      })
      const jobIds: string[] = []
      for (let i = 0; i < JOBS; i++) {
        jobIds.push(
          idOf(
            await expectStatus(call, 201, 'POST', `/${customer}/task/${idOf(task)}/job`, {
              token: admin,
              json: [],
            }),
          ),
        )
      }
      const finished = await waitUntil(
        async () => {
          const jobs = await Promise.all(
            jobIds.map(
              async (id) =>
                (await expectStatus(call, 200, 'GET', `/${customer}/job/${id}`, { token: admin })).body,
            ),
          )
          return jobs.every((job) => ['finished', 'terminated', 'canceled'].includes(String(job.lifecycle)))
            ? jobs
            : undefined
        },
        { timeoutMs: 180_000, intervalMs: 500, message: 'every job to end' },
      )
      for (const job of finished) {
        expect(job, JSON.stringify(job.result)).toMatchObject({ lifecycle: 'finished', state: 'success' })
      }
      expect(sent).toBeGreaterThan(1_000)
      // The flood was dropped unread, not handled: the scheduler counts it.
      const port = platform.internalPorts.get('job-scheduler')?.health
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      const dropped =
        /^taskforge_publisher_messages_dropped_total\{[^}]*reason="failures"[^}]*\} (\d+)/m.exec(metrics)
      expect(Number(dropped?.[1] ?? 0)).toBeGreaterThan(100)
    } finally {
      flooding = false
      await flood
      await nc.close()
    }
  }, 300_000)
})
