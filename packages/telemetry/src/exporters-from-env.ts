import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'

type Env = Record<string, string | undefined>

/**
 * The exporters named by `OTEL_TRACES_EXPORTER` (a comma-separated list of `otlp`, `console`, `none`).
 * Unset, it means `otlp` when an OTLP endpoint is configured and nothing otherwise, so a developer
 * machine without a collector does not retry failing exports forever. `OTEL_SDK_DISABLED=true` means none.
 */
export function exporterNamesFromEnv(env: Env = process.env): string[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return []
  const configured = env.OTEL_TRACES_EXPORTER?.trim()
  if (configured === undefined || configured === '') {
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
    return endpoint ? ['otlp'] : []
  }
  const names = configured
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
  return names.includes('none') ? [] : [...new Set(names)]
}

/** Span processors for the exporters the environment asks for; unknown names are reported, not fatal. */
export function spanProcessorsFromEnv(
  env: Env = process.env,
  warn: (message: string) => void = () => {},
): SpanProcessor[] {
  const processors: SpanProcessor[] = []
  for (const name of exporterNamesFromEnv(env)) {
    if (name === 'otlp') {
      // The exporter reads the OTEL_EXPORTER_OTLP_* endpoint, headers and timeout itself.
      processors.push(new BatchSpanProcessor(new OTLPTraceExporter()))
    } else if (name === 'console') {
      processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
    } else {
      warn(`OTEL_TRACES_EXPORTER: unsupported exporter "${name}" ignored`)
    }
  }
  return processors
}
