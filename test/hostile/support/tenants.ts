import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connectNats, type NatsConnection, waitUntil } from '@taskforge/testkit'
import { expect } from 'vitest'
import { botProcess } from '../../../scripts/platform/bot-process.js'
import type { ServiceProcess } from '../../../scripts/platform/service-process.js'
import type { Platform } from '../../../scripts/platform.js'
import { expectStatus, idOf } from '../../e2e/support/fixtures.js'
import { type Answer, type CallOptions, gatewayClient } from '../../e2e/support/gateway-client.js'

/** A job as the REST API answers it (the fields these tests read). */
export interface Job {
  id: string
  lifecycle: string
  state: string
  output: unknown
  result: Record<string, unknown> | null
}

/** A bot's credentials file: the REST answer of its registration. */
export interface BotCredentials {
  id: string
  nats_url: string
  nats_jwt: string
  nats_seed: string
  nats_inbox_prefix: string
}

export interface Task {
  id: string
  /** Runs the task (201 expected) and answers the queued job. */
  run(args?: unknown[]): Promise<Job>
}

const ended = (job: Job) => ['finished', 'terminated', 'canceled'].includes(job.lifecycle)

/** One organization, as its admin drives it through the REST API. */
export class Tenant {
  readonly bots: ServiceProcess[] = []

  constructor(
    readonly customer: string,
    readonly token: string,
    readonly gatewayUrl: string,
    private readonly files: string,
  ) {}

  call(method: string, path: string, options: Omit<CallOptions, 'token'> = {}): Promise<Answer> {
    return gatewayClient(this.gatewayUrl)(method, path, { token: this.token, ...options })
  }

  /** Creates a script and a task running it on `host`. */
  async createTask(host: string, script: string, fields: Record<string, unknown> = {}): Promise<Task> {
    const created = await this.#expect(201, 'POST', `/${this.customer}/script`, {
      json: { filename: 'job.sh', content: script },
    })
    const task = await this.#expect(201, 'POST', `/${this.customer}/task`, {
      json: {
        name: `task ${Math.random().toString(36).slice(2, 8)}`,
        host_id: host,
        script_id: idOf(created),
        ...fields,
      },
    })
    const id = idOf(task)
    return {
      id,
      run: async (args: unknown[] = []) =>
        (
          await this.#expect(201, 'POST', `/${this.customer}/task/${id}/job`, {
            json: { task_arguments: args },
          })
        ).body as unknown as Job,
    }
  }

  /** Waits (within a generous bound, not a timing assertion) for a job to end, and answers it. */
  endOf(jobId: string, timeoutMs = 90_000): Promise<Job> {
    return waitUntil(
      async () => {
        const job = (await this.#expect(200, 'GET', `/${this.customer}/job/${jobId}`)).body as unknown as Job
        return ended(job) ? job : false
      },
      { timeoutMs, intervalMs: 200, message: `job ${jobId} of ${this.customer} to end` },
    )
  }

  /** Registers a bot and saves its credentials file; answers its id and credentials. */
  async registerBot(name: string): Promise<BotCredentials> {
    const answer = await this.#expect(201, 'POST', `/${this.customer}/bot`, { json: { name } })
    const credentials = answer.body as unknown as BotCredentials
    await writeFile(join(this.files, `${credentials.id}.json`), answer.text, { mode: 0o600 })
    return credentials
  }

  /** Starts a real bot agent process for a registered bot, as `npm run bot` does. */
  async startBot(botId: string): Promise<ServiceProcess> {
    const bot = botProcess({
      name: `bot-${botId.slice(-6)}`,
      credentialsFile: join(this.files, `${botId}.json`),
      workDir: join(this.files, `work-${botId}`),
      args: ['--heartbeat-interval', '1s', '--kill-grace', '1s'],
      env: { ...process.env, LOG_LEVEL: 'info' },
      log: () => {},
    })
    this.bots.push(bot)
    bot.start()
    await bot.waitReady({ logMessage: 'bot started' }, 60_000)
    return bot
  }

  #expect(status: number, method: string, path: string, options: Omit<CallOptions, 'token'> = {}) {
    return expectStatus(gatewayClient(this.gatewayUrl), status, method, path, {
      token: this.token,
      ...options,
    })
  }
}

/** A new organization made with the root token, with its admin token. */
export async function createTenant(platform: Platform, name: string, files: string): Promise<Tenant> {
  const call = gatewayClient(platform.gatewayUrl)
  const created = await expectStatus(call, 201, 'POST', '/admin/customers', {
    token: platform.rootToken,
    json: { name },
  })
  return new Tenant(name, idOf(created, 'admin_token'), platform.gatewayUrl, files)
}

/** A NATS connection made with a bot's own credentials, as a hostile bot host could. */
export function connectAsBot(bot: BotCredentials): Promise<NatsConnection> {
  return connectNats(bot.nats_url, {
    name: `hostile bot ${bot.id}`,
    user: { jwt: bot.nats_jwt, seed: bot.nats_seed },
    inboxPrefix: bot.nats_inbox_prefix,
  })
}

/** What the operator's `/admin/quarantine` lists. */
export interface QuarantineListing {
  items: {
    service: string
    id: string
    pipeline: string
    kind: string
    customer: string | null
    error: string
    status: string
    replay_error: string | null
  }[]
  unavailable: { service: string; error: string }[]
}

/** Everything the services set aside (up to 1,000 items each). */
export async function quarantineListing(platform: Platform): Promise<QuarantineListing> {
  const answer = await expectStatus(
    gatewayClient(platform.gatewayUrl),
    200,
    'GET',
    '/admin/quarantine?limit=1000',
    {
      token: platform.rootToken,
    },
  )
  return answer.json as QuarantineListing
}

/**
 * Proof that the platform still serves other organizations: the victim's run answers 201 and its
 * job finishes with the script's output.
 */
export async function victimStillRuns(victim: Tenant, task: Task): Promise<void> {
  const job = await task.run()
  const done = await victim.endOf(job.id)
  expect(done, JSON.stringify(done)).toMatchObject({ lifecycle: 'finished', state: 'success' })
}
