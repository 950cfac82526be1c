import { badRequest, notFound } from '@taskforge/core'
import type {
  ListQuarantineRequest,
  ListQuarantineResponse,
  QuarantinedItem as QuarantinedItemMessage,
  ReplayQuarantinedRequest,
  ReplayQuarantinedResponse,
} from '@taskforge/proto/ops/v1/quarantine_service'

/** The QuarantineService's methods: what a service serves, and what the gateway calls (in process for its own). */
export interface QuarantineApi {
  listQuarantine(request: ListQuarantineRequest): Promise<ListQuarantineResponse>
  replayQuarantined(request: ReplayQuarantinedRequest): Promise<ReplayQuarantinedResponse>
}

/** One quarantined item, as a service's quarantine lists it (structurally event-store's `QuarantinedItem`). */
export interface QuarantinedItemLike {
  id: string
  pipeline: string
  kind: string
  key: string
  customer: string | undefined
  streamId: string | undefined
  streamType: string | undefined
  eventType: string | undefined
  streamVersion: bigint | undefined
  subject: string | undefined
  streamSequence: number | undefined
  sizeBytes: number
  error: string
  attempts: number
  status: string
  times: number
  firstQuarantinedAt: Date
  quarantinedAt: Date
  replayedAt: Date | undefined
  replayError: string | undefined
}

/** What the service needs of a quarantine (structurally event-store's `Quarantine`). */
export interface QuarantineSource {
  list(options: {
    status?: 'quarantined' | 'replayed'
    pipeline?: string
    afterId?: string
    limit?: number
  }): Promise<QuarantinedItemLike[]>
  replay(id: string): Promise<QuarantinedItemLike>
}

function toMessage(item: QuarantinedItemLike): QuarantinedItemMessage {
  return {
    id: item.id,
    pipeline: item.pipeline,
    kind: item.kind,
    key: item.key,
    customer: item.customer ?? '',
    streamId: item.streamId ?? '',
    streamType: item.streamType ?? '',
    eventType: item.eventType ?? '',
    streamVersion: item.streamVersion ?? 0n,
    subject: item.subject ?? '',
    streamSequence: BigInt(item.streamSequence ?? 0),
    sizeBytes: item.sizeBytes,
    error: item.error,
    attempts: item.attempts,
    status: item.status,
    times: item.times,
    firstQuarantinedAt: item.firstQuarantinedAt,
    quarantinedAt: item.quarantinedAt,
    replayedAt: item.replayedAt,
    replayError: item.replayError ?? '',
  }
}

const STATUSES = new Set(['quarantined', 'replayed'])
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The QuarantineService every stateful service serves beside its own: what its pipelines set aside,
 * and the replay of one item. The gateway's `/admin/quarantine` routes call it on each service.
 *
 * @example
 * addService(server, QuarantineServiceService, quarantineService(quarantine), { logger })
 */
export function quarantineService(quarantine: QuarantineSource): QuarantineApi {
  return {
    async listQuarantine(request) {
      if (request.status !== '' && !STATUSES.has(request.status))
        throw badRequest(
          `status must be quarantined or replayed, not ${JSON.stringify(request.status.slice(0, 50))}`,
        )
      if (request.afterId !== '' && !UUID.test(request.afterId)) throw badRequest('after must be an item id')
      const status = STATUSES.has(request.status) ? (request.status as 'quarantined' | 'replayed') : undefined
      const items = await quarantine.list({
        ...(status === undefined ? {} : { status }),
        ...(request.pipeline === '' ? {} : { pipeline: request.pipeline }),
        ...(request.afterId === '' ? {} : { afterId: request.afterId }),
        ...(request.limit === 0 ? {} : { limit: request.limit }),
      })
      return { items: items.map(toMessage) }
    },
    async replayQuarantined(request) {
      if (!UUID.test(request.id)) throw notFound('quarantined item', request.id.slice(0, 100))
      return { item: toMessage(await quarantine.replay(request.id)) }
    },
  }
}
