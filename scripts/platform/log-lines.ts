const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}
const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
}
const DIM = '\x1b[2m'
const RESET = '\x1b[0m'
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'err', 'span_id'])

/** Width of the service name column, so that messages line up. */
export const NAME_WIDTH = 13

function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVELS[level] ?? String(level)
  return typeof level === 'string' ? level : 'info'
}

function clock(time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date()
  return Number.isNaN(date.getTime())
    ? new Date().toISOString().slice(11, 23)
    : date.toISOString().slice(11, 23)
}

function value(item: unknown): string {
  if (typeof item === 'string') return /[\s"=]/.test(item) ? JSON.stringify(item) : item
  return JSON.stringify(item) ?? String(item)
}

/**
 * One line of a child process made readable in a terminal: pino JSON lines become
 * `time name LEVEL message key=value...` (with the error's stack below when there is one); any other
 * line is shown as is behind the service name.
 */
export function formatLogLine(name: string, line: string, color = false): string {
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text)
  const label = name.padEnd(NAME_WIDTH)
  let parsed: unknown
  try {
    parsed = line.startsWith('{') ? JSON.parse(line) : undefined
  } catch {
    parsed = undefined
  }
  if (parsed === null || typeof parsed !== 'object' || !('msg' in parsed || 'level' in parsed)) {
    return `${paint(DIM, clock(undefined))} ${label} ${line}`
  }
  const record = parsed as Record<string, unknown>
  const level = levelName(record.level)
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, item]) => `${key}=${value(item)}`)
  const err = record.err as { message?: unknown; stack?: unknown } | undefined
  const errText = err === undefined ? '' : ` err=${value(err.message ?? err)}`
  const head = [
    paint(DIM, clock(record.time)),
    label,
    paint(COLORS[level] ?? '', level.toUpperCase().padEnd(5)),
    `${typeof record.msg === 'string' ? record.msg : ''}${errText}`,
    fields.length > 0 ? paint(DIM, fields.join(' ')) : '',
  ]
    .filter((part) => part !== '')
    .join(' ')
  const showStack = typeof err?.stack === 'string' && (level === 'error' || level === 'fatal')
  return showStack ? `${head}\n${paint(DIM, String(err?.stack).replace(/^/gm, '    '))}` : head
}

/** The last `size` lines a process wrote, to explain why it failed. */
export class LineTail {
  private readonly lines: string[] = []

  constructor(private readonly size = 40) {}

  push(line: string): void {
    this.lines.push(line)
    if (this.lines.length > this.size) this.lines.shift()
  }

  /** The lines kept, oldest first. */
  all(): readonly string[] {
    return [...this.lines]
  }

  toString(): string {
    return this.lines.join('\n')
  }
}
