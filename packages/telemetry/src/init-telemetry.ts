import { context, propagation, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'
import { spanProcessorsFromEnv } from './exporters-from-env.js'
import { FanOutSpanProcessor } from './fan-out-span-processor.js'
import { createLogger } from './logger.js'

export interface TelemetryOptions {
  /** `service.name` of the spans; `OTEL_SERVICE_NAME` wins when set. */
  serviceName: string
  /**
   * Extra processors, for example a SimpleSpanProcessor over an InMemorySpanExporter in tests. They are
   * attached even when telemetry was already initialised, and detached (flushed, not shut down) by
   * this call's `shutdown`.
   */
  spanProcessors?: SpanProcessor[]
}

export interface Telemetry {
  /** Flushes this caller's processors; the last caller also flushes and stops the provider. */
  shutdown(): Promise<void>
}

interface ActiveTelemetry {
  provider: NodeTracerProvider
  fanOut: FanOutSpanProcessor
  users: number
}

// Kept on globalThis so that two copies of this module (sources and build output) share one provider,
// as the OpenTelemetry API shares its globals.
const STATE = Symbol.for('taskforge.telemetry')
type GlobalWithState = typeof globalThis & { [STATE]?: ActiveTelemetry }

function start(serviceName: string): ActiveTelemetry {
  const log = createLogger('telemetry')
  const fanOut = new FanOutSpanProcessor()
  for (const processor of spanProcessorsFromEnv(process.env, (message) => log.warn(message)))
    fanOut.add(processor)
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME || serviceName }))
  const provider = new NodeTracerProvider({ resource, spanProcessors: [fanOut] })
  // The default context manager of the Node provider is AsyncLocalStorage-based.
  provider.register({ propagator: new W3CTraceContextPropagator() })
  return { provider, fanOut, users: 0 }
}

/**
 * Whether spans started now would reach a processor: false when tracing is on but nothing is
 * attached (no exporter configured, no test collector), undefined when tracing was never started.
 */
export function spansAreProcessed(): boolean | undefined {
  const active = (globalThis as GlobalWithState)[STATE]
  return active === undefined ? undefined : !active.fanOut.isEmpty
}

/**
 * Starts tracing for this process: a Node tracer provider with W3C propagation, exporting as the
 * standard `OTEL_*` environment says (`OTEL_TRACES_EXPORTER` = otlp | console | none; by default otlp
 * when an OTLP endpoint is set, otherwise none). Calling it again is harmless: later calls reuse the
 * provider and only attach their `spanProcessors`.
 *
 * @example
 * const telemetry = initTelemetry({ serviceName: 'job-scheduler' })
 * ctx.onStop(() => telemetry.shutdown())
 */
export function initTelemetry(options: TelemetryOptions): Telemetry {
  const holder = globalThis as GlobalWithState
  let active = holder[STATE]
  if (active === undefined) {
    active = start(options.serviceName)
    holder[STATE] = active
  }
  const own = options.spanProcessors ?? []
  const detach = own.map((processor) => active.fanOut.add(processor))
  active.users += 1
  let stopped: Promise<void> | undefined
  return {
    shutdown() {
      stopped ??= (async () => {
        await Promise.all(own.map((processor) => processor.forceFlush()))
        for (const off of detach) off()
        active.users -= 1
        if (active.users > 0) return
        if (holder[STATE] === active) holder[STATE] = undefined
        await active.provider.shutdown()
        trace.disable()
        context.disable()
        propagation.disable()
      })()
      return stopped
    },
  }
}
