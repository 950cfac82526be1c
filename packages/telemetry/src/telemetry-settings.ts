/** A variable read by this package (the shape of the core's settings, for the configuration doc). */
export interface EnvironmentVariable {
  readonly env: string
  readonly description: string
  readonly default: string | undefined
  readonly kind: 'string' | 'list'
}

const variable = (
  env: string,
  description: string,
  def?: string,
  kind: EnvironmentVariable['kind'] = 'string',
): EnvironmentVariable => ({ env, description, default: def, kind })

/**
 * The environment variables logging and tracing read, in every service and the bot. The OTLP
 * exporter reads the other `OTEL_EXPORTER_OTLP_*` variables of the OpenTelemetry specification itself.
 */
export const telemetrySettings = {
  logLevel: variable(
    'LOG_LEVEL',
    'Lowest level logged (trace, debug, info, warn, error, fatal, silent); JSON lines on stdout',
    'info',
  ),
  serviceName: variable('OTEL_SERVICE_NAME', '`service.name` of the spans (default: the program name)', ''),
  resourceAttributes: variable(
    'OTEL_RESOURCE_ATTRIBUTES',
    'More resource attributes of the spans, `key=value` comma separated (e.g. deployment.environment=prod)',
    '',
    'list',
  ),
  tracesExporter: variable(
    'OTEL_TRACES_EXPORTER',
    'Span exporters, comma separated: `otlp`, `console`, `none` (default: `otlp` when an OTLP endpoint is set, else none)',
    '',
    'list',
  ),
  otlpEndpoint: variable(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'Base URL of the OTLP/HTTP collector (spans go to `<url>/v1/traces`), e.g. http://otel-collector:4318',
    '',
  ),
  otlpTracesEndpoint: variable(
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'Full URL of the OTLP/HTTP traces endpoint; wins over OTEL_EXPORTER_OTLP_ENDPOINT',
    '',
  ),
  otlpHeaders: variable(
    'OTEL_EXPORTER_OTLP_HEADERS',
    'Headers sent to the collector, `key=value` comma separated (e.g. an API key)',
    '',
    'list',
  ),
  sampler: variable(
    'OTEL_TRACES_SAMPLER',
    'Sampler: `parentbased_always_on`, `parentbased_traceidratio`, `always_on`, `always_off`, `traceidratio`',
    'parentbased_always_on',
  ),
  samplerArg: variable(
    'OTEL_TRACES_SAMPLER_ARG',
    'Sampling ratio (0 to 1) of the `*traceidratio` samplers',
    '',
  ),
  sdkDisabled: variable('OTEL_SDK_DISABLED', '`true` turns tracing off: no span is exported', 'false'),
}
