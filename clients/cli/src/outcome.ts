import type { Job } from '@taskforge/sdk'

/** The exit codes of `taskforge`, as contract §9 gives them. */
export const Exit = {
  success: 0,
  /** A usage error, an API error, or anything else that kept the command from doing its work. */
  error: 1,
  failure: 2,
  canceled: 3,
  /** Timed out or terminated (the bot killed the script). */
  terminated: 4,
  /** The CLI's own `--wait` limit came before the job's end. */
  waitLimit: 124,
} as const

/** How a command that waited for an ended job exits: from its lifecycle, then its state. */
export function exitCodeOf(job: Pick<Job, 'lifecycle' | 'state'>): number {
  if (job.lifecycle === 'canceled' || job.state === 'canceled') return Exit.canceled
  if (job.lifecycle === 'terminated' || job.state === 'timeout') return Exit.terminated
  if (job.lifecycle === 'finished' && job.state === 'success') return Exit.success
  return Exit.failure
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** A duration as milliseconds: `90` (seconds), `500ms`, `30s`, `5m`, `1h`, `1m30s`. Throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000)
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed)
    throw new RangeError(`not a duration: ${text} (say 30s, 5m, 1h or a number of seconds)`)
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNITS[unit ?? 's'] ?? 0), 0))
}
