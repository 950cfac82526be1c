import { utf8Head, utf8Length, utf8Tail } from './output-text.js'

/** NATS's default max_payload (1 MiB): the bound to use when the server did not say. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024

/**
 * The bytes a message about a job's output may take on a NATS connection whose server allows
 * `maxPayload` (`nc.info.max_payload`): a quarter of it, at most 16 KiB, stays free for what wraps
 * the message (ids, trace context, the event envelope, headers).
 *
 * @example
 * messageBudget(1024 * 1024) // 1_032_192
 */
export function messageBudget(maxPayload: number): number {
  return maxPayload - Math.min(16 * 1024, Math.floor(maxPayload / 4))
}

/** What protobuf spends on one string field at most besides its bytes: its tag and its length. */
const FIELD_OVERHEAD = 6

/** Bytes one string field takes in protobuf, at most. */
export function stringFieldBytes(text: string): number {
  return utf8Length(text) + FIELD_OVERHEAD
}

/** The texts of a job's end that grow with what its script printed. */
export interface OutputSummary {
  /** The output lines, or the output a script's verdict states: the first ones are kept. */
  output: string[]
  /** The end of the log: its last bytes are kept. */
  log: string
  /** The last line: its start is kept. */
  lastline: string
  /** Why the job ended as it did: its start is kept. */
  reason: string
}

/** The bytes a summary's fields take in protobuf, at most. */
export function summaryBytes(summary: OutputSummary): number {
  let bytes =
    stringFieldBytes(summary.log) + stringFieldBytes(summary.lastline) + stringFieldBytes(summary.reason)
  for (const line of summary.output) bytes += stringFieldBytes(line)
  return bytes
}

/**
 * `summary` cut to take at most `maxBytes` in protobuf, and whether anything was cut. When it does
 * not fit whole, `reason` keeps at most a sixteenth of the budget, `lastline` an eighth and `log` (its
 * end) a quarter; `output` keeps its first lines in what is left, the first line that does not fit
 * cut short, and none after it. Everything cut is in the job's log, which goes in chunks. A budget
 * holds at least the three fields' overhead (18 bytes).
 *
 * @example
 * abridgeSummary({ output: ['a', 'b'], log: 'a\nb\n', lastline: 'b', reason: '' }, 1024).abridged // false
 */
export function abridgeSummary(
  summary: OutputSummary,
  maxBytes: number,
): OutputSummary & { abridged: boolean } {
  if (summaryBytes(summary) <= maxBytes) return { ...summary, abridged: false }
  const share = (part: number) => Math.max(0, Math.floor(maxBytes / part) - FIELD_OVERHEAD)
  const reason = utf8Head(summary.reason, share(16))
  const lastline = utf8Head(summary.lastline, share(8))
  const log = utf8Tail(summary.log, share(4))
  let room = maxBytes - stringFieldBytes(reason) - stringFieldBytes(lastline) - stringFieldBytes(log)
  const output: string[] = []
  for (const line of summary.output) {
    const bytes = stringFieldBytes(line)
    if (bytes <= room) {
      output.push(line)
      room -= bytes
      continue
    }
    if (room > FIELD_OVERHEAD) output.push(utf8Head(line, room - FIELD_OVERHEAD))
    break
  }
  return { output, log, lastline, reason, abridged: true }
}
