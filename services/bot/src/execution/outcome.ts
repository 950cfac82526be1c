import type { JobResult } from '@taskforge/proto/jobs/v1/model'

/** How a job's process ended, as the bot saw it. */
export type Termination =
  | { kind: 'exited'; code: number | null; signal: string | null }
  /** Ran past its timeout: the bot signalled its group (`sent` is the last signal it sent). */
  | { kind: 'timeout'; code: number | null; signal: string | null; sent: string }
  /** Stopped by the bot for another reason (shutdown); `reason` says why. */
  | { kind: 'aborted'; code: number | null; signal: string | null; sent: string; reason: string }
  /** Stopped because the job was canceled; `reason` says why. */
  | { kind: 'canceled'; code: number | null; signal: string | null; sent: string; reason: string }
  /** Canceled before its script was started. */
  | { kind: 'canceled-before-start'; reason: string }
  /** Never ran: the command could not be started, or the job could not be prepared. */
  | { kind: 'not-started'; reason: string }

export type FinalState = 'success' | 'failure' | 'timeout' | 'canceled' | 'error'

export interface ExecutionOutcome {
  state: FinalState
  result: JobResult
  output: string[]
}

/** The lines of a job's output, without the empty lines its final newlines leave. */
export function outputLines(log: string): string[] {
  const lines = log.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  return lines
}

/** The last line that is not blank, or ''. */
export function lastLine(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return lines[i]!
  return ''
}

/** What a script may state on its last line: `{"state": "success"|"failure", "output"?: ...}`. */
export interface ScriptVerdict {
  state: 'success' | 'failure'
  output?: string[]
}

function asOutput(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value]
  return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
}

/** The verdict a last line states, when it is a JSON object with a `state` of success or failure. */
export function parseVerdict(line: string): ScriptVerdict | undefined {
  const text = line.trim()
  if (!text.startsWith('{')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const { state, output } = parsed as { state?: unknown; output?: unknown }
  if (state !== 'success' && state !== 'failure') return undefined
  return output === undefined ? { state } : { state, output: asOutput(output) }
}

/**
 * The contract's outcome rules: exit code 0 is success and anything else failure, unless the last
 * output line is a JSON verdict, which wins; a timeout is `timeout` whatever the script printed; a
 * job that could not start or that the bot had to stop is `error`, with the reason in the result; a
 * canceled job is `canceled` whatever it printed.
 */
export function decideOutcome(
  termination: Termination,
  log: string,
  truncatedBytes: number,
): ExecutionOutcome {
  if (termination.kind === 'not-started') {
    return {
      state: 'error',
      result: {
        signal: '',
        killed: false,
        log: log === '' ? termination.reason : `${log}\n${termination.reason}`,
        lastline: termination.reason,
        truncatedBytes: BigInt(truncatedBytes),
        abridged: false,
        reason: termination.reason,
      },
      output: [],
    }
  }
  if (termination.kind === 'canceled-before-start') {
    return {
      state: 'canceled',
      result: {
        signal: '',
        killed: false,
        log,
        lastline: '',
        truncatedBytes: BigInt(truncatedBytes),
        abridged: false,
        reason: termination.reason,
      },
      output: [],
    }
  }
  const lines = outputLines(log)
  const last = lastLine(lines)
  const base = {
    ...(termination.code === null ? {} : { code: termination.code }),
    log,
    lastline: last,
    truncatedBytes: BigInt(truncatedBytes),
    abridged: false,
  }
  if (termination.kind === 'timeout') {
    return {
      state: 'timeout',
      result: { ...base, signal: termination.signal ?? termination.sent, killed: true, reason: 'timeout' },
      output: lines,
    }
  }
  if (termination.kind === 'aborted' || termination.kind === 'canceled') {
    return {
      state: termination.kind === 'canceled' ? 'canceled' : 'error',
      result: {
        ...base,
        signal: termination.signal ?? termination.sent,
        killed: true,
        reason: termination.reason,
      },
      output: lines,
    }
  }
  const verdict = parseVerdict(last)
  const state = verdict?.state ?? (termination.code === 0 ? 'success' : 'failure')
  return {
    state,
    result: { ...base, signal: termination.signal ?? '', killed: false, reason: '' },
    output: verdict?.output ?? lines,
  }
}
