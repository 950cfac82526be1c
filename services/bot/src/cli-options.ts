import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { toMillis } from '@taskforge/core'
import { DEFAULT_OUTPUT_LIMIT_BYTES } from './execution/output-capture.js'

export interface BotOptions {
  credentialsFile: string
  concurrency: number
  /** Defaults to `<tmp>/taskforge-bot-<bot id>`, known only once the credentials are read. */
  workDir?: string
  killGraceMs: number
  shutdownTimeoutMs: number
  outputLimitBytes: number
  /** How often the bot tells it is alive (and which jobs it runs: that renews their leases). */
  heartbeatIntervalMs: number
}

export const USAGE = `usage: bot --credentials <file> [--concurrency N] [--work-dir <dir>] [--kill-grace <duration>]
           [--shutdown-timeout <duration>] [--output-limit <bytes>] [--heartbeat-interval <duration>]

  --credentials       the bot's credentials (the JSON answer of POST /:customer/bot)
  --concurrency       jobs run at once (default 4)
  --work-dir          where jobs run and the journal lives (default <tmp>/taskforge-bot-<id>)
  --kill-grace        time between SIGTERM and SIGKILL of a job's processes (default 5s)
  --shutdown-timeout  on SIGTERM, how long running jobs may finish before they are stopped (default 30s)
  --output-limit      output kept per job, in bytes (default 1048576)
  --heartbeat-interval  time between heartbeats (default 5s; keep it well below the scheduler's JOB_LEASE)`

export class UsageError extends Error {
  override name = 'UsageError'
}

function positiveInt(name: string, raw: string, allowZero = false): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new UsageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${raw}`)
  }
  return value
}

function millis(name: string, raw: string): number {
  try {
    return toMillis(raw)
  } catch {
    throw new UsageError(`--${name} must be a duration such as 5s or 500ms, got ${raw}`)
  }
}

/** Parses the bot's command line; throws UsageError with a readable message. */
export function parseBotOptions(argv: readonly string[]): BotOptions {
  let values: Record<string, string | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        credentials: { type: 'string' },
        concurrency: { type: 'string' },
        'work-dir': { type: 'string' },
        'kill-grace': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        'output-limit': { type: 'string' },
        'heartbeat-interval': { type: 'string' },
      },
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.credentials === undefined) throw new UsageError('--credentials <file> is required')
  const workDir = values['work-dir']
  return {
    credentialsFile: values.credentials,
    concurrency: values.concurrency === undefined ? 4 : positiveInt('concurrency', values.concurrency),
    ...(workDir === undefined ? {} : { workDir }),
    killGraceMs: millis('kill-grace', values['kill-grace'] ?? '5s'),
    shutdownTimeoutMs: millis('shutdown-timeout', values['shutdown-timeout'] ?? '30s'),
    outputLimitBytes:
      values['output-limit'] === undefined
        ? DEFAULT_OUTPUT_LIMIT_BYTES
        : positiveInt('output-limit', values['output-limit'], true),
    heartbeatIntervalMs: heartbeatInterval(values['heartbeat-interval'] ?? '5s'),
  }
}

function heartbeatInterval(raw: string): number {
  const ms = millis('heartbeat-interval', raw)
  if (ms < 100) throw new UsageError(`--heartbeat-interval must be at least 100ms, got ${raw}`)
  return ms
}

export function defaultWorkDir(botId: string): string {
  return join(tmpdir(), `taskforge-bot-${botId.replace(/[^\w.-]/g, '_')}`)
}
