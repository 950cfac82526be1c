import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Quotas } from '@taskforge/core'
import { freePort } from '@taskforge/testkit'
import { botProcess } from '../../../scripts/platform/bot-process.js'
import { CREDENTIAL_VARIABLES } from '../../../scripts/platform/nats-auth.js'
import type { ServiceProcess } from '../../../scripts/platform/service-process.js'
import { type Platform, startPlatform } from '../../../scripts/platform.js'
import { pollUntil } from '../lib/clock.js'
import { JsonClient, stringField } from '../lib/json-client.js'
import { LogSink } from '../lib/log-sink.js'
import { markerScript } from './marker-script.js'

const SPARE_TASKS = 15

/** The platform as `npm start` runs it, plus the bench's bot, task and marker directory. */
export interface BenchPlatform {
  platform: Platform
  api: JsonClient
  customer: string
  botId: string
  /** The no-op task every pass runs. */
  taskId: string
  /** More no-op tasks on the same bot, for the pass that spreads runs over several tasks. */
  spareTaskIds: string[]
  /** Where each job's script writes the wall-clock time it began, in a file named after the job. */
  markDir: string
  botConcurrency: number
  /** Every process by name, with its pid (for matching CPU profiles). */
  pids(): Map<string, number>
  stop(): Promise<void>
}

function botEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  const dropped = new Set<string>(CREDENTIAL_VARIABLES)
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !dropped.has(key)) env[key] = value
  }
  return { ...env, ...extra }
}

/**
 * Starts every service with startPlatform (real processes, throwaway Postgres and NATS data), then
 * the bot as `npm run bot` would, with `--concurrency`, and creates the no-op task on it.
 */
export async function startBenchPlatform(options: {
  botConcurrency: number
  /** Extra environment of every platform process (NODE_OPTIONS for profiles). */
  env?: Record<string, string>
  /** More arguments of the bot (`--output-limit` for big logs). */
  botArgs?: readonly string[]
  /** More settings of the platform's Postgres, which is then always one started here. */
  postgresSettings?: readonly string[]
  log: (message: string) => void
}): Promise<BenchPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskforge-bench-'))
  const markDir = join(dataDir, 'marks')
  await mkdir(markDir)
  const sink = new LogSink()
  const env = {
    LOG_LEVEL: 'warn',
    // Webhook receivers of the bench listen on loopback addresses.
    WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
    // The sustained pass sends runs as fast as the API takes them, with one token: what is measured
    // is the platform, not the per-token limit (200 a second by default), which peers do not have.
    [Quotas.runsPerToken.setting]: '100000',
    ...options.env,
  }
  const platform = await startPlatform({
    dataDir,
    persistent: false,
    gatewayPort: await freePort(),
    withBot: false,
    log: sink.write,
    env,
    ...(options.postgresSettings === undefined
      ? {}
      : { localPostgres: true, postgresSettings: options.postgresSettings }),
  })
  let bot: ServiceProcess | undefined
  let api: JsonClient | undefined
  const stop = async () => {
    await bot?.stop(30_000)
    await api?.close()
    await platform.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const { customer, admin_token: token } = platform.credentials
    const botId = platform.credentials.bot.id
    api = new JsonClient(platform.credentials.gateway_url, token)
    bot = botProcess({
      name: 'bot',
      credentialsFile: platform.botCredentialsFile,
      workDir: join(dataDir, 'bot'),
      args: [
        '--concurrency',
        String(options.botConcurrency),
        '--shutdown-timeout',
        '10s',
        ...(options.botArgs ?? []),
      ],
      env: botEnvironment(env),
      log: sink.write,
    })
    bot.start()
    const client = api
    // At LOG_LEVEL=warn the bot logs nothing when it starts: its first heartbeat tells.
    const online = await pollUntil(
      async () => {
        const bots = await client.request('GET', `/${customer}/bot`)
        return (
          Array.isArray(bots.body) &&
          bots.body.some((b: { id?: unknown; online?: unknown }) => b.id === botId && b.online === true)
        )
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    )
    if (!online) throw new Error(`the bot did not come online; its last lines:\n${bot.tail}`)
    const script = await api.expect(201, 'POST', `/${customer}/script`, {
      filename: 'mark.sh',
      description: 'bench: notes when it starts',
      content: markerScript(markDir),
    })
    const taskIds: string[] = []
    for (let i = 0; i < 1 + SPARE_TASKS; i++) {
      const task = await api.expect(201, 'POST', `/${customer}/task`, {
        name: `bench no-op ${i}`,
        host_id: botId,
        script_id: stringField(script, 'id'),
        multitasking: true,
        timeout: 60,
      })
      taskIds.push(stringField(task, 'id'))
    }
    const running = bot
    return {
      platform,
      api,
      customer,
      botId,
      taskId: taskIds[0]!,
      spareTaskIds: taskIds.slice(1),
      markDir,
      botConcurrency: options.botConcurrency,
      pids() {
        const pids = new Map<string, number>()
        const all: [string, ChildProcess | undefined][] = [...platform.processes, ['bot', running.process]]
        for (const [name, child] of all) if (child?.pid !== undefined) pids.set(name, child.pid)
        return pids
      },
      stop,
    }
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  } finally {
    const dropped = sink.takeDropped()
    if (dropped > 0) options.log(`${dropped} platform log lines not shown`)
  }
}
