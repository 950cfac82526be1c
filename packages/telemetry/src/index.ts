export type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api'
export { SpanKind, SpanStatusCode } from '@opentelemetry/api'
export type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
export { exporterNamesFromEnv } from './exporters-from-env.js'
export { initTelemetry, type Telemetry, type TelemetryOptions } from './init-telemetry.js'
export { type CreateLoggerOptions, createLogger, type Logger } from './logger.js'
export { type OpenSpan, type OpenSpanOptions, openSpan, spanContextOf } from './open-span.js'
export { collectSpans, type SpanCollector } from './span-collector.js'
export { type EnvironmentVariable, telemetrySettings } from './telemetry-settings.js'
export {
  contextFromTrace,
  currentTraceContext,
  extractContext,
  injectHeaders,
  type TraceContext,
} from './trace-context.js'
export { tracer } from './tracer.js'
export { recordError, type WithSpanOptions, withSpan } from './with-span.js'
