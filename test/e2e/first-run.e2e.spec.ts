import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { type Answer, gatewayClient } from './support/gateway-client.js'

// The README walk-through, against the real processes `npm start` runs: every service, Postgres,
// nats-server and one bot, each its own process.
describe('first run, as the README shows it', () => {
  let platform: Platform
  let dataDir: string
  let api: (method: string, path: string, body?: unknown) => Promise<Answer>

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-e2e-'))
    platform = await startPlatform({
      dataDir,
      persistent: false,
      gatewayPort: await freePort(),
      withBot: true,
    })
    const { gateway_url, admin_token } = platform.credentials
    const call = gatewayClient(gateway_url)
    api = (method, path, body) => call(method, path, { token: admin_token, json: body })
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('saves the dev credentials the contract describes', () => {
    const c = platform.credentials
    expect(c.customer).toBe('demo')
    expect(c.gateway_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(c.admin_token).toMatch(/^[0-9a-f]{64}$/)
    expect(c.root_token.length).toBeGreaterThan(0)
    expect(c.bot.name).toBe('local')
  })

  it('creates a script and a task, runs it on the bot and shows the finished job', async () => {
    const { customer, bot } = platform.credentials
    const script = await api('POST', `/${customer}/script`, {
      filename: 'hello.sh',
      content: '#!/bin/sh\necho "hello $1"\necho "args: $#"\n',
    })
    expect(script.status).toBe(201)

    const task = await api('POST', `/${customer}/task`, {
      name: 'say hello',
      host_id: bot.id,
      script_id: script.body.id,
      task_arguments: [{ order: 0, type: 'input', label: 'who' }],
    })
    expect(task.status).toBe(201)
    expect(task.body.timeout).toBe(600)

    const run = await api('POST', `/${customer}/task/${task.body.id}/job`, {
      task_arguments: ['big world; $(id)'],
    })
    expect(run.status).toBe(201)
    expect(['ready', 'assigned']).toContain(run.body.lifecycle)
    expect(run.body.task_arguments_values).toEqual(['big world; $(id)'])

    const seen = new Set<string>()
    let job = run.body
    for (let i = 0; i < 300 && job.lifecycle !== 'finished' && job.lifecycle !== 'terminated'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      job = (await api('GET', `/${customer}/job/${run.body.id}`)).body
      seen.add(String(job.lifecycle))
    }
    expect(job.lifecycle).toBe('finished')
    expect(job.state).toBe('success')
    expect(job.output).toEqual(['hello big world; $(id)', 'args: 1'])
    expect(job.result).toMatchObject({ code: 0, killed: false, lastline: 'args: 1' })
    expect(job.host_id).toBe(bot.id)

    const list = await api('GET', `/${customer}/job?task=${task.body.id}`)
    expect(Array.isArray(list.json)).toBe(true)
    expect((list.json as { id: string }[]).map((j) => j.id)).toContain(run.body.id)
  })

  it('answers bad input and unknown objects with JSON errors', async () => {
    const { customer } = platform.credentials
    const missing = await api('GET', `/${customer}/job/00000000-0000-7000-8000-000000000000`)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' })
    const bad = await api('POST', `/${customer}/task`, { name: 42 })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('BAD_REQUEST')
    const anonymous = await fetch(`${platform.credentials.gateway_url}/${customer}/task`)
    expect(anonymous.status).toBe(401)
  })
})
