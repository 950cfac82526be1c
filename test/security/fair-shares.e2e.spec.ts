import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { expectStatus, idOf, issueToken } from '../e2e/support/fixtures.js'
import { type Answer, type GatewayCall, gatewayClient } from '../e2e/support/gateway-client.js'

/** Organization A's receivers that take each request and never answer: its whole quota of them. */
const TAR_PITS = 16
/** WEBHOOK_ORGANIZATION_CONCURRENCY's default: what A's tar pits may hold, and no more. */
const ORGANIZATION_SHARE = 16
const RUNS_PER_SECOND = 5
const FOLLOW_MAX_S = 15

// Quotas small enough to reach in a test; every other setting is the default (WEBHOOK_CONCURRENCY 64,
// 4 per subscription, 16 per host: without shares, A's 16 subscriptions would hold all 64 slots).
const PLATFORM_ENV = {
  LOG_LEVEL: 'warn',
  WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
  // Longer than the test: a tar pit holds each attempt for the whole of it.
  WEBHOOK_TIMEOUT: '10m',
  WEBHOOK_MAX_SUBSCRIPTIONS: String(TAR_PITS),
  MAX_QUEUED_JOBS_PER_TASK: '2',
  MAX_QUEUED_JOBS_PER_ORGANIZATION: '3',
  GATEWAY_RUNS_PER_SECOND: String(RUNS_PER_SECOND),
  GATEWAY_HEADERS_TIMEOUT: '2s',
  GATEWAY_REQUEST_TIMEOUT: '4s',
  LOG_FOLLOW_MAX: `${FOLLOW_MAX_S}s`,
}

/** A refusal past a quota: 429, a whole-second Retry-After, and the JSON body naming the quota. */
function expectQuota(answer: Answer, limit: string): void {
  expect(answer.status, answer.text).toBe(429)
  expect(answer.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/)
  expect(answer.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS', details: { limit } })
  expect(String(answer.body.message)).toContain(`(${limit})`)
}

/** Follows a job's log to its end: the text streamed, and the trailer that says why it ended. */
function followLog(
  baseUrl: string,
  path: string,
  token: string,
  onFirstBytes: () => void = () => {},
): Promise<{ text: string; ended: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
    request.on('response', (response) => {
      if (response.statusCode !== 200) reject(new Error(`follow answered ${response.statusCode}`))
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) onFirstBytes()
        chunks.push(chunk)
      })
      response.on('end', () =>
        resolve({
          text: Buffer.concat(chunks).toString('utf8'),
          ended: response.trailers['x-taskforge-follow-end'],
        }),
      )
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

// Issue 14, fair shares: one organization's tar pits cannot delay another's deliveries, every quota
// answers 429 with Retry-After, slow clients are cut off, and a log follow ends on revocation and
// after its maximum. On the platform as `npm start` runs it, with its real bot.
describe('fair shares between organizations', () => {
  let platform: Platform
  let dataDir: string
  let call: GatewayCall
  let customer: string
  let admin: string
  const receivers: TestReceiver[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-security-fair-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      log: () => {},
      env: PLATFORM_ENV,
    })
    call = gatewayClient(platform.credentials.gateway_url)
    customer = platform.credentials.customer
    admin = platform.credentials.admin_token
  })

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()))
    await platform?.stop()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  const receiver = async (...args: Parameters<typeof TestReceiver.start>) => {
    const started = await TestReceiver.start(...args)
    receivers.push(started)
    return started
  }
  const organization = async (name: string) => {
    const created = await expectStatus(call, 201, 'POST', '/admin/customers', {
      token: platform.rootToken,
      json: { name },
    })
    return idOf(created, 'admin_token')
  }

  it("delivers every event of an organization while another's 16 tar pits hold their attempts", async () => {
    const tarPitAdmin = await organization('tarpit-org')
    const tarPits = await Promise.all(
      Array.from({ length: TAR_PITS }, () => receiver(() => ({ hang: true }))),
    )
    for (const [i, tarPit] of tarPits.entries()) {
      await expectStatus(call, 201, 'POST', '/tarpit-org/subscription', {
        token: tarPitAdmin,
        json: { url: `${tarPit.origin}/hook/${i}` },
      })
    }
    // More of A's events behind the pings: enough to fill every slot of the relay, were it allowed.
    const bait = await expectStatus(call, 201, 'POST', '/tarpit-org/script', {
      token: tarPitAdmin,
      json: { filename: 'bait.sh', content: '#!/bin/sh\ntrue\n' },
    })
    const baitBot = await expectStatus(call, 201, 'POST', '/tarpit-org/bot', {
      token: tarPitAdmin,
      json: { name: 'bait' },
    })
    for (let i = 0; i < 4; i++) {
      await expectStatus(call, 201, 'POST', '/tarpit-org/task', {
        token: tarPitAdmin,
        json: { name: `tar pit bait ${i}`, host_id: idOf(baitBot), script_id: idOf(bait) },
      })
    }
    const hanging = () => tarPits.reduce((sum, tarPit) => sum + tarPit.hanging, 0)
    await waitUntil(() => hanging() === ORGANIZATION_SHARE, {
      timeoutMs: 60_000,
      message: "the tar pits hold their organization's share",
    })

    const fast = await receiver()
    await expectStatus(call, 201, 'POST', `/${customer}/subscription`, {
      token: admin,
      json: { url: `${fast.origin}/hook`, events: ['task.create'] },
    })
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: admin,
      json: { filename: 'fair.sh', content: '#!/bin/sh\ntrue\n' },
    })
    const names = Array.from({ length: 20 }, (_, i) => `fair ${i}`)
    for (const name of names) {
      await expectStatus(call, 201, 'POST', `/${customer}/task`, {
        token: admin,
        json: { name, host_id: platform.credentials.bot.id, script_id: idOf(script) },
      })
    }
    const delivered = () =>
      fast
        .bodies<{ event_name: string; event_data: { task?: { name?: string } } }>()
        .filter((body) => body.event_name === 'task.create')
    await waitUntil(() => delivered().length === names.length, {
      timeoutMs: 60_000,
      message: "every delivery of the other organization arrived (no attempt of A's has ended)",
    })
    expect(
      delivered()
        .map((body) => body.event_data.task?.name)
        .sort(),
    ).toEqual([...names].sort())
    // A's attempts are all still hanging: B's deliveries did not wait for any of them to end.
    expect(hanging()).toBe(ORGANIZATION_SHARE)
    expect(tarPits.reduce((sum, tarPit) => sum + tarPit.requests.length, 0)).toBe(ORGANIZATION_SHARE)

    expectQuota(
      await call('POST', '/tarpit-org/subscription', {
        token: tarPitAdmin,
        json: { url: `${fast.origin}/one-too-many` },
      }),
      'subscriptions per organization',
    )
  })

  it('refuses runs past the jobs not started of a task and of an organization, 429 with Retry-After', async () => {
    const queueAdmin = await organization('queue-org')
    const bot = await expectStatus(call, 201, 'POST', '/queue-org/bot', {
      token: queueAdmin,
      json: { name: 'never-online' },
    })
    const script = await expectStatus(call, 201, 'POST', '/queue-org/script', {
      token: queueAdmin,
      json: { filename: 'noop.sh', content: '#!/bin/sh\ntrue\n' },
    })
    const task = async (name: string) =>
      idOf(
        await expectStatus(call, 201, 'POST', '/queue-org/task', {
          token: queueAdmin,
          json: { name, host_id: idOf(bot), script_id: idOf(script), multitasking: true },
        }),
      )
    const first = await task('first')
    const second = await task('second')
    // Fewer runs per token than its quota per second, whatever the clock: that quota is another test's.
    const runner = await issueToken(call, 'queue-org', queueAdmin, { name: 'runner', role: 'user' })
    const run = (taskId: string, token = queueAdmin) =>
      call('POST', `/queue-org/task/${taskId}/job`, { token, json: [] })
    // The bot never comes: every job stays not started.
    await expectStatus(call, 201, 'POST', `/queue-org/task/${first}/job`, { token: queueAdmin, json: [] })
    await expectStatus(call, 201, 'POST', `/queue-org/task/${first}/job`, { token: queueAdmin, json: [] })
    expectQuota(await run(first), 'queued jobs per task')
    await expectStatus(call, 201, 'POST', `/queue-org/task/${second}/job`, { token: runner.token, json: [] })
    expectQuota(await run(second, runner.token), 'queued jobs per organization')
    // Emptying a queue makes room again.
    await expectStatus(call, 200, 'DELETE', `/queue-org/task/${first}/job`, { token: queueAdmin })
    await expectStatus(call, 201, 'POST', `/queue-org/task/${second}/job`, { token: runner.token, json: [] })
  })

  it("refuses a token's runs past its quota per second, 429 with Retry-After; another token runs", async () => {
    const flooder = await issueToken(call, customer, admin, { name: 'flooder', role: 'user' })
    const other = await issueToken(call, customer, admin, { name: 'other', role: 'user' })
    // A task that does not exist: the quota counts runs asked, before any is looked at.
    const path = `/${customer}/task/0190c1d2-3e4f-7a5b-8c6d-7e8f9a0b1c2d/job`
    const answers = await Promise.all(
      Array.from({ length: RUNS_PER_SECOND * 3 }, () =>
        call('POST', path, { token: flooder.token, json: [] }),
      ),
    )
    const refused = answers.filter((answer) => answer.status === 429)
    expect(refused.length).toBeGreaterThan(0)
    for (const answer of refused) expectQuota(answer, 'runs per token per second')
    expect(answers.filter((answer) => answer.status !== 429).every((answer) => answer.status === 404)).toBe(
      true,
    )
    expect((await call('POST', path, { token: other.token, json: [] })).status).toBe(404)
  })

  it('cuts off a client that sends its headers too slowly', async () => {
    const { port } = new URL(platform.credentials.gateway_url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1')
      const chunks: Buffer[] = []
      socket.on('data', (chunk) => chunks.push(chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      socket.write(`GET /${customer}/task HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('ends a log follow when its token is revoked, and any follow after its maximum', async () => {
    const script = await expectStatus(call, 201, 'POST', `/${customer}/script`, {
      token: admin,
      json: { filename: 'long.sh', content: '#!/bin/sh\necho started\nsleep 120\necho never seen\n' },
    })
    const task = await expectStatus(call, 201, 'POST', `/${customer}/task`, {
      token: admin,
      json: {
        name: 'runs long',
        host_id: platform.credentials.bot.id,
        script_id: idOf(script),
        multitasking: true,
      },
    })
    const job = idOf(
      await expectStatus(call, 201, 'POST', `/${customer}/task/${idOf(task)}/job`, {
        token: admin,
        json: [],
      }),
    )
    const path = `/${customer}/job/${job}/log?follow=true`
    const watcher = await issueToken(call, customer, admin, { name: 'watcher', role: 'viewer' })
    const keeper = await issueToken(call, customer, admin, { name: 'keeper', role: 'viewer' })

    const kept = followLog(platform.credentials.gateway_url, path, keeper.token)
    const revoked = followLog(platform.credentials.gateway_url, path, watcher.token, () => {
      void expectStatus(call, 204, 'DELETE', `/${customer}/token/${watcher.id}`, { token: admin })
    })
    const byRevocation = await revoked
    expect(byRevocation.text).toContain('started')
    expect(byRevocation.ended).toBe('revoked')

    const byMaximum = await kept
    expect(byMaximum.text).toContain('started')
    expect(byMaximum.text).not.toContain('never seen')
    expect(byMaximum.ended).toBe('max-duration')
    // The job itself goes on: only the follow ended.
    expect(
      (await expectStatus(call, 200, 'GET', `/${customer}/job/${job}`, { token: admin })).body.lifecycle,
    ).toBe('assigned')
    await expectStatus(call, 200, 'PUT', `/${customer}/job/${job}/cancel`, { token: admin, json: {} })
  })
})
