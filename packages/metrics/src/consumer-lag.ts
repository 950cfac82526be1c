import { Gauge, type Registry } from 'prom-client'
import { METRIC_PREFIX, type ServiceMetrics } from './service-metrics.js'

/** The fields of a JetStream consumer info that lag is read from. */
export interface ConsumerInfoLike {
  name: string
  num_pending: number
  num_ack_pending: number
}

/** The part of a JetStream manager the lag gauges need (structurally `JetStreamManager`). */
export interface ConsumerInfoSource {
  consumers: {
    info(stream: string, durable: string): Promise<ConsumerInfoLike>
    list(stream: string): AsyncIterable<ConsumerInfoLike>
  }
}

/** Durables to report: one by name, or every durable of a stream whose name starts with `prefix`. */
export type WatchedConsumers = { stream: string; durable: string } | { stream: string; prefix: string }

export const CONSUMER_PENDING = `${METRIC_PREFIX}consumer_pending_messages`
export const CONSUMER_ACK_PENDING = `${METRIC_PREFIX}consumer_ack_pending_messages`

async function infos(source: ConsumerInfoSource, watched: WatchedConsumers): Promise<ConsumerInfoLike[]> {
  if ('durable' in watched) return [await source.consumers.info(watched.stream, watched.durable)]
  const found: ConsumerInfoLike[] = []
  for await (const info of source.consumers.list(watched.stream)) {
    if (info.name.startsWith(watched.prefix)) found.push(info)
  }
  return found
}

/**
 * Consumer lag per durable, read from JetStream at each scrape: messages not yet delivered
 * (`num_pending`) and delivered but not acknowledged (`num_ack_pending`). A consumer that cannot be
 * read (missing, NATS down) is left out of that scrape.
 *
 * @example
 * trackConsumerLag(metrics, bus.jsm, [{ stream: 'REPORTS', durable: 'job-scheduler-reports' }])
 */
export function trackConsumerLag(
  metrics: ServiceMetrics,
  source: ConsumerInfoSource,
  watched: readonly WatchedConsumers[],
): void {
  let sources = watchedBy.get(metrics.registry)
  if (sources === undefined) {
    sources = []
    watchedBy.set(metrics.registry, sources)
    createGauges(metrics, sources)
  }
  for (const w of watched) sources.push({ source, watched: w })
}

const watchedBy = new WeakMap<Registry, { source: ConsumerInfoSource; watched: WatchedConsumers }[]>()

type Watched = readonly { source: ConsumerInfoSource; watched: WatchedConsumers }[]

/** Reads every watched consumer now; each gauge reads on its own, as a registry collects them at once. */
async function readAll(sources: Watched): Promise<{ stream: string; info: ConsumerInfoLike }[]> {
  const results = await Promise.allSettled(sources.map(({ source, watched }) => infos(source, watched)))
  return results.flatMap((result, index) =>
    result.status === 'fulfilled'
      ? result.value.map((info) => ({ stream: sources[index]?.watched.stream ?? '', info }))
      : [],
  )
}

function lagGauge(
  metrics: ServiceMetrics,
  sources: Watched,
  name: string,
  help: string,
  pick: (info: ConsumerInfoLike) => number,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['stream', 'durable'],
    registers: [metrics.registry],
    async collect() {
      const read = await readAll(sources)
      this.reset()
      for (const { stream, info } of read) this.set({ stream, durable: info.name }, pick(info))
    },
  })
}

function createGauges(metrics: ServiceMetrics, sources: Watched): void {
  lagGauge(
    metrics,
    sources,
    CONSUMER_PENDING,
    'Messages of the stream a durable consumer has not been given yet (its lag)',
    (info) => info.num_pending,
  )
  lagGauge(
    metrics,
    sources,
    CONSUMER_ACK_PENDING,
    'Messages delivered to a durable consumer and not acknowledged yet',
    (info) => info.num_ack_pending,
  )
}
