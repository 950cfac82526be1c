import { isSpanContextValid, trace } from '@opentelemetry/api'
import pino, { type DestinationStream, type LoggerOptions } from 'pino'

/** The platform's structured logger (pino). */
export type Logger = pino.Logger

export interface CreateLoggerOptions {
  /** Where lines go instead of stdout (tests capture lines this way). */
  destination?: DestinationStream
  /** Overrides `LOG_LEVEL`. */
  level?: string
}

function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()
  if (span === undefined) return {}
  const spanContext = span.spanContext()
  if (!isSpanContextValid(spanContext)) return {}
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId }
}

function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // Ties every line written inside a span to its trace, so logs and traces can be joined.
    mixin: traceFields,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }
}

let root: Logger | undefined

function rootLogger(): Logger {
  root ??= pino(loggerOptions(process.env.LOG_LEVEL || 'info'))
  return root
}

/**
 * A JSON logger named `name` (level from `LOG_LEVEL`, default info). Lines written while a span is
 * active carry its `trace_id` and `span_id`.
 *
 * @example
 * const log = createLogger('job-scheduler', { component: 'relay' })
 * log.info({ jobId }, 'job queued')
 */
export function createLogger(name: string, bindings: object = {}, options: CreateLoggerOptions = {}): Logger {
  if (options.destination === undefined && options.level === undefined) {
    return rootLogger().child({ name, ...bindings })
  }
  const level = options.level ?? (process.env.LOG_LEVEL || 'info')
  const logger =
    options.destination === undefined
      ? pino(loggerOptions(level))
      : pino(loggerOptions(level), options.destination)
  return logger.child({ name, ...bindings })
}
