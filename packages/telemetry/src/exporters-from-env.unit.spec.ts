import { describe, expect, it } from 'vitest'
import { exporterNamesFromEnv, spanProcessorsFromEnv } from './exporters-from-env.js'

describe('exporterNamesFromEnv', () => {
  it('exports nothing by default', () => {
    expect(exporterNamesFromEnv({})).toEqual([])
  })

  it('defaults to otlp when an endpoint is configured', () => {
    expect(exporterNamesFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(['otlp'])
    expect(exporterNamesFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual([
      'otlp',
    ])
  })

  it('follows OTEL_TRACES_EXPORTER', () => {
    expect(exporterNamesFromEnv({ OTEL_TRACES_EXPORTER: 'console, OTLP' })).toEqual(['console', 'otlp'])
    expect(
      exporterNamesFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual([])
  })

  it('exports nothing when the SDK is disabled', () => {
    expect(
      exporterNamesFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual([])
  })

  it('ignores unknown exporters with a warning', () => {
    const warnings: string[] = []
    const processors = spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin,console' }, (m) =>
      warnings.push(m),
    )
    expect(processors).toHaveLength(1)
    expect(warnings).toEqual(['OTEL_TRACES_EXPORTER: unsupported exporter "zipkin" ignored'])
  })
})
