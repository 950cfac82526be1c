import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One finished span as an OTLP exporter sent it. */
export interface CollectedSpan {
  service: string
  name: string
  traceId: string
  spanId: string
  parentSpanId: string
  /** Wall-clock milliseconds (OpenTelemetry JS takes a span's start from Date.now(): 1 ms steps). */
  startMs: number
  durationMs: number
}

interface OtlpValue {
  stringValue?: string
}
interface OtlpSpan {
  name?: string
  traceId?: string
  spanId?: string
  parentSpanId?: string
  startTimeUnixNano?: string
  endTimeUnixNano?: string
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: OtlpValue }[] }
    scopeSpans?: { spans?: OtlpSpan[] }[]
  }[]
}

const nanosToMs = (nanos: bigint) => Number(nanos / 1000n) / 1000

/** Spans of an OTLP/HTTP JSON export body (what `@opentelemetry/exporter-trace-otlp-http` posts). */
export function spansOf(body: OtlpTraces): CollectedSpan[] {
  const spans: CollectedSpan[] = []
  for (const resource of body.resourceSpans ?? []) {
    const service =
      resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? 'unknown'
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const start = BigInt(span.startTimeUnixNano ?? '0')
        const end = BigInt(span.endTimeUnixNano ?? '0')
        spans.push({
          service,
          name: span.name ?? '',
          traceId: span.traceId ?? '',
          spanId: span.spanId ?? '',
          parentSpanId: span.parentSpanId ?? '',
          startMs: nanosToMs(start),
          durationMs: nanosToMs(end - start),
        })
      }
    }
  }
  return spans
}

/**
 * A local OTLP/HTTP trace receiver on a free port: the platform's processes export to it
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and it keeps every span, for the bench to read.
 */
export class SpanSink {
  readonly spans: CollectedSpan[] = []
  readonly #server: Server

  private constructor(server: Server) {
    this.#server = server
  }

  static async start(): Promise<SpanSink> {
    const server = createServer()
    const sink = new SpanSink(server)
    server.on('request', (request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        try {
          sink.spans.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces))
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        } catch {
          response.writeHead(400).end()
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return sink
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1/traces`
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
