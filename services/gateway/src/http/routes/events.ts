import { PassThrough } from 'node:stream'
import { AppError, badRequest, ErrorKinds, Quotas, quotaExceeded } from '@taskforge/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { LiveEvent, LiveHub } from '../../live/live-events.js'
import type { Access, Permit } from '../access.js'
import { sees, throughTasks } from '../authorize.js'
import { customerParams } from '../schemas.js'

/** Bounds of the live events stream (decision 26). */
export interface EventStreamBounds {
  /** Open streams of one organization on this replica (a quota: 429 past it). */
  perOrganization: number
  /** Open streams on this replica, every organization together (503 past it). */
  perGateway: number
  /** The longest one stream stays open; the client reconnects with Last-Event-ID. */
  maxDurationMs: number
  /** Between heartbeats (a comment line), when the caller's credential is checked again. */
  heartbeatMs: number
  /** Bytes waiting for a slow reader past which its stream is dropped. */
  maxBufferedBytes: number
}

export const DEFAULT_EVENT_STREAM_BOUNDS: EventStreamBounds = {
  perOrganization: Quotas.eventStreamsPerOrganization.value,
  perGateway: 2_000,
  maxDurationMs: 60 * 60_000,
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
}

/** A Last-Event-ID is a sequence of the EVENTS stream: decimal digits, nothing else. */
export function parseLastEventId(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw badRequest('Last-Event-ID must be the id of an event this stream sent (decimal digits)', {
      field: 'Last-Event-ID',
    })
  return Number(value)
}

/** One event in the text/event-stream format. */
export function formatEvent(event: LiveEvent): string {
  return `id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(event.data)}\n\n`
}

const DESCRIPTION = `Server-sent events (text/event-stream) of one organization, filtered by what the caller sees (a task's acls hide its jobs and it). Each event is a notification: \`event\` is \`job\`, \`task\`, \`schedule\`, \`workflow\`, \`workflow_run\` or \`bot\`; \`data\` is JSON \`{ type, id, customer, occurred_at, task_id?, workflow_id?, lifecycle?, state? }\` (type as \`job.finished\`, \`task.updated\`, \`schedule.fired\`, \`workflow_run.nodeEnded\`, \`bot.cameOnline\`), a \`schedule.fired\` adds \`outcome\`, \`kind\`, \`scheduled_for\` and \`job_id\` when it started one, and a \`workflow_run\` event of a node adds \`node\` and \`node_state\` (\`job_id\` when it started a job); workflows and their runs are filtered by the workflow's acls; read the object again to show it. \`id\` is the event's position: reconnect with \`Last-Event-ID\` (or \`last_event_id\`) to receive what was missed; when it can no longer be replayed, an \`event: reset\` says to read everything again. A comment line is sent every 15 s. Bounds: open streams per organization (${Quotas.eventStreamsPerOrganization.setting}, 429) and per gateway (503), an hour per stream, and a reader that falls 1 MiB behind is dropped.`

/** `GET /:customer/events`: the live events stream of one organization. */
export function eventRoutes(
  app: FastifyInstance,
  deps: { access: Access; hub: LiveHub | undefined; bounds: EventStreamBounds },
): void {
  const { access, bounds } = deps
  const open = new Map<string, number>()
  let total = 0

  app.get<{ Params: { customer: string }; Querystring: { last_event_id?: string } }>(
    '/:customer/events',
    {
      schema: {
        operationId: 'streamEvents',
        tags: ['events'],
        summary: 'Live events of the organization (server-sent events), resumable with Last-Event-ID',
        description: DESCRIPTION,
        params: customerParams,
        querystring: {
          type: 'object',
          properties: {
            last_event_id: { type: 'string', maxLength: 20, description: 'as the Last-Event-ID header' },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 20 } },
        },
        response: {
          200: {
            description:
              'The stream: `id`, `event` and `data` lines per event, as the EventSource API reads them',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const { customer } = request.params
      const permit = await access.permit(request, customer, 'viewer')
      const header = request.headers['last-event-id']
      const lastSeq = parseLastEventId(
        header === undefined || header === '' ? request.query.last_event_id : header,
      )
      const hub = deps.hub
      if (hub === undefined) throw new AppError(ErrorKinds.UNAVAILABLE, 'live events are not available here')
      const mine = open.get(customer) ?? 0
      if (mine >= bounds.perOrganization)
        throw quotaExceeded(
          Quotas.eventStreamsPerOrganization,
          bounds.perOrganization,
          `${customer} has ${mine} event streams open`,
        )
      if (total >= bounds.perGateway)
        throw new AppError(
          ErrorKinds.UNAVAILABLE,
          'this gateway has as many event streams open as it takes; try again',
          {
            details: { retry_after_seconds: 5 },
          },
        )
      const [shown, shownWorkflows] = await Promise.all([
        access.visibleTaskIds(permit),
        access.visibleWorkflowIds(permit),
      ])
      const visible = shown === undefined ? undefined : new Set(shown)
      const visibleWorkflows = shownWorkflows === undefined ? undefined : new Set(shownWorkflows)

      open.set(customer, mine + 1)
      total += 1
      const out = new PassThrough()
      const timers: NodeJS.Timeout[] = []
      let unsubscribe = () => {}
      let closed = false
      const close = () => {
        if (closed) return
        closed = true
        for (const timer of timers) clearInterval(timer)
        unsubscribe()
        const left = (open.get(customer) ?? 1) - 1
        if (left <= 0) open.delete(customer)
        else open.set(customer, left)
        total -= 1
        out.end()
      }
      reply.raw.on('close', close)
      out.on('close', close)
      request.raw.socket?.setTimeout(0)

      const write = (text: string) => {
        if (closed) return
        // A reader that does not keep up is dropped, never buffered without end.
        if (out.readableLength + reply.raw.writableLength > bounds.maxBufferedBytes) {
          request.log.info({ customer }, 'event stream dropped: its reader is too slow')
          close()
          reply.raw.destroy()
          return
        }
        out.write(text)
      }
      const seen = (event: LiveEvent) => {
        if (event.kind === 'bot') return true
        // Workflows and their runs are seen through the workflow's acls, as jobs through their task's.
        if (event.kind === 'workflow' || event.kind === 'workflow_run')
          return visibleWorkflows === undefined || visibleWorkflows.has(event.workflowId ?? '')
        return visible === undefined || visible.has(event.taskId)
      }
      // A task (or workflow) event carries its acls: the caller's view follows it as it goes.
      const follow = (
        shownIds: Set<string>,
        id: string,
        acls: readonly string[] | 'deleted',
        event: LiveEvent,
      ) => {
        const before = shownIds.has(id)
        const after =
          acls !== 'deleted' && sees(permit.caller, throughTasks([{ definition: { acls: [...acls] } }]))
        if (after) shownIds.add(id)
        else shownIds.delete(id)
        if (before || after) write(formatEvent(event))
      }
      const deliver = (event: LiveEvent) => {
        if (event.kind === 'task' && visible !== undefined && event.acls !== undefined)
          return follow(visible, event.taskId, event.acls, event)
        if (event.kind === 'workflow' && visibleWorkflows !== undefined && event.acls !== undefined)
          return follow(visibleWorkflows, event.workflowId ?? '', event.acls, event)
        if (seen(event)) write(formatEvent(event))
      }

      void reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
      write('retry: 3000\n\n')
      if (lastSeq !== undefined) {
        const replay = hub.since(customer, lastSeq)
        if (replay.kind === 'gap') write(`id: ${hub.lastSeq}\nevent: reset\ndata: {}\n\n`)
        else for (const event of replay.events) if (seen(event)) write(formatEvent(event))
      } else write(`: connected at ${hub.lastSeq}\n\n`)
      unsubscribe = hub.subscribe(customer, deliver)

      const started = Date.now()
      timers.push(
        setInterval(() => {
          if (Date.now() - started >= bounds.maxDurationMs) return close()
          void stillAllowed(request, customer).then((allowed) => (allowed ? write(': ping\n\n') : close()))
        }, bounds.heartbeatMs),
      )
      return reply.send(out)
    },
  )

  /** Whether the caller's credential still stands (a sign-out or a revoked token ends the stream). */
  async function stillAllowed(request: FastifyRequest, customer: string): Promise<boolean> {
    try {
      const again: Permit = await access.permit(request, customer, 'viewer')
      return again !== undefined
    } catch {
      return false
    }
  }
}
