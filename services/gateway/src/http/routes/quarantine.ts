import { describeFailure, notFound } from '@taskforge/core'
import type { QuarantinedItem } from '@taskforge/proto/ops/v1/quarantine_service'
import type { QuarantineApi } from '@taskforge/rpc'
import type { FastifyInstance } from 'fastify'
import type { Access } from '../access.js'

/** Each service's quarantine, by service name: the gateway's own in process, the others over gRPC. */
export type Quarantines = Readonly<
  Record<string, Pick<QuarantineApi, 'listQuarantine' | 'replayQuarantined'>>
>

const iso = (at: Date | undefined) => at?.toISOString() ?? null

function itemView(service: string, item: QuarantinedItem) {
  return {
    service,
    id: item.id,
    pipeline: item.pipeline,
    kind: item.kind,
    key: item.key,
    customer: item.customer || null,
    stream_type: item.streamType || null,
    stream_id: item.streamId || null,
    event_type: item.eventType || null,
    stream_version: item.streamVersion === 0n ? null : Number(item.streamVersion),
    subject: item.subject || null,
    stream_sequence: item.streamSequence === 0n ? null : Number(item.streamSequence),
    size_bytes: item.sizeBytes,
    error: item.error,
    attempts: item.attempts,
    status: item.status,
    times: item.times,
    first_quarantined_at: iso(item.firstQuarantinedAt),
    quarantined_at: iso(item.quarantinedAt),
    replayed_at: iso(item.replayedAt),
    replay_error: item.replayError || null,
  }
}

const itemSchema = {
  type: 'object',
  properties: {
    service: { type: 'string' },
    id: { type: 'string' },
    pipeline: {
      type: 'string',
      description: 'projection:<name>, outbox:<relay> or consumer:<stream>/<durable>',
    },
    kind: { type: 'string', enum: ['event', 'message'] },
    key: { type: 'string' },
    customer: { type: 'string', nullable: true },
    stream_type: { type: 'string', nullable: true },
    stream_id: { type: 'string', nullable: true },
    event_type: { type: 'string', nullable: true },
    stream_version: { type: 'integer', nullable: true },
    subject: { type: 'string', nullable: true },
    stream_sequence: { type: 'integer', nullable: true },
    size_bytes: { type: 'integer' },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    status: { type: 'string', enum: ['quarantined', 'replayed'] },
    times: { type: 'integer' },
    first_quarantined_at: { type: 'string', format: 'date-time', nullable: true },
    quarantined_at: { type: 'string', format: 'date-time', nullable: true },
    replayed_at: { type: 'string', format: 'date-time', nullable: true },
    replay_error: { type: 'string', nullable: true },
  },
} as const

interface ListQuery {
  service?: string
  status?: 'quarantined' | 'replayed'
  pipeline?: string
  after?: string
  limit?: number
}

/**
 * The operator's view of what the platform's pipelines set aside (root token only): the items of
 * every service, and the replay of one through the pipeline it failed in once its cause is fixed.
 * A service that does not answer is named in `unavailable`; the others' items are still listed.
 */
export function quarantineRoutes(
  app: FastifyInstance,
  deps: { quarantines: Quarantines; access: Access },
): void {
  const { quarantines, access } = deps
  const services = Object.keys(quarantines)

  app.get<{ Querystring: ListQuery }>(
    '/admin/quarantine',
    {
      schema: {
        operationId: 'listQuarantine',
        tags: ['operations'],
        summary: 'List what the pipelines of every service set aside after failing (root token only)',
        querystring: {
          type: 'object',
          properties: {
            service: { type: 'string', enum: services },
            status: { type: 'string', enum: ['quarantined', 'replayed'] },
            pipeline: { type: 'string', maxLength: 300 },
            after: {
              type: 'string',
              format: 'uuid',
              description: 'Items after this id, for the next page of one service',
            },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            access_token: { type: 'string' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: itemSchema },
              unavailable: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { service: { type: 'string' }, error: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      await access.permitRoot(request)
      const { service, status = '', pipeline = '', after = '', limit = 100 } = request.query
      const asked = service === undefined ? services : [service]
      const answers = await Promise.allSettled(
        asked.map(async (name) => {
          const { items } = await quarantines[name]!.listQuarantine({
            status,
            pipeline,
            afterId: after,
            limit,
          })
          return items.map((item) => itemView(name, item))
        }),
      )
      const items: ReturnType<typeof itemView>[] = []
      const unavailable: { service: string; error: string }[] = []
      answers.forEach((answer, index) => {
        if (answer.status === 'fulfilled') items.push(...answer.value)
        else unavailable.push({ service: asked[index]!, error: describeFailure(answer.reason, 500) })
      })
      items.sort((a, b) => (a.quarantined_at ?? '').localeCompare(b.quarantined_at ?? ''))
      return { items, unavailable }
    },
  )

  app.post<{ Params: { service: string; id: string } }>(
    '/admin/quarantine/:service/:id/replay',
    {
      schema: {
        operationId: 'replayQuarantined',
        tags: ['operations'],
        summary: 'Run one quarantined item through its pipeline again (root token only)',
        description:
          'Answers the item, now `replayed`; 409 INVALID_STATE with the error when it still fails (it stays quarantined).',
        params: {
          type: 'object',
          required: ['service', 'id'],
          properties: { service: { type: 'string', maxLength: 50 }, id: { type: 'string', maxLength: 100 } },
        },
        response: { 200: itemSchema },
      },
    },
    async (request) => {
      await access.permitRoot(request)
      const { service, id } = request.params
      const quarantine = quarantines[service]
      if (quarantine === undefined) throw notFound('service', service)
      const { item } = await quarantine.replayQuarantined({ id })
      if (item === undefined) throw notFound('quarantined item', id)
      return itemView(service, item)
    },
  )
}
