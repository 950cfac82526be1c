import { Readable } from 'node:stream'
import { badRequest } from '@taskforge/core'
import type { GetJobLogResponse } from '@taskforge/proto/jobs/v1/scheduler_service'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access } from '../access.js'
import { limitedString } from '../limit-schema.js'
import { idParams, jobResponseSchema } from '../schemas.js'
import { jobView } from '../views.js'

/**
 * How long one long poll of a followed log waits for more output (the scheduler caps it at 30s).
 * Between polls the follower's token is checked again: a revoked token's follow ends within this.
 */
export const FOLLOW_RECHECK_MS = 5_000

/** The most lines one range of a log answers (`limit`, `tail`). */
export const MAX_LOG_LINES = 10_000

/** A range of a log's lines: from `offset` (0-based) at most `limit`, or the last `tail`. */
export interface LineRange {
  offset?: number
  limit?: number
  tail?: number
}

const logRangeSchema = {
  type: 'object',
  required: ['offset', 'lines', 'total_lines', 'complete'],
  properties: {
    offset: { type: 'integer', description: 'the 0-based number of the first line answered' },
    lines: { type: 'array', items: { type: 'string' }, description: 'the lines, without their line ends' },
    total_lines: { type: 'integer', description: 'how many lines the log has now' },
    complete: { type: 'boolean', description: 'the job ended and all its output is here' },
    truncated_bytes: { type: 'integer', description: 'what the bot dropped past its output limit' },
  },
} as const

/** Why a follow ended, in its `x-taskforge-follow-end` trailer. */
export type FollowEnd = 'done' | 'revoked' | 'max-duration' | 'error' | 'client-gone'

const textOf = (page: GetJobLogResponse) => page.chunks.map((chunk) => chunk.text).join('')
const bytesOf = (page: GetJobLogResponse) => Buffer.concat(page.chunks.map((chunk) => chunk.data))

/** Controls of one job, owned by job-scheduler: cancel it, read or follow its log. */
export function jobControlRoutes(
  app: FastifyInstance,
  deps: { clients: Clients; access: Access; logFollowMaxMs: number },
): void {
  const { clients, access, logFollowMaxMs } = deps

  app.put<{ Params: { customer: string; id: string }; Body: { reason?: string } | null }>(
    '/:customer/job/:id/cancel',
    {
      schema: {
        operationId: 'cancelJob',
        tags: ['jobs'],
        summary:
          'Cancel a job: one not started ends at once; a running one is killed on its bot (SIGTERM to its process group, then SIGKILL) and ends canceled',
        params: idParams,
        body: {
          anyOf: [
            {
              type: 'object',
              properties: {
                reason: limitedString('cancelReason'),
                access_token: { type: 'string' },
              },
            },
            { type: 'null' },
          ],
        },
        response: { 200: { ...jobResponseSchema, description: 'the job, as the cancel left it' } },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'user')
      await access.job(permit, request.params.id)
      const { job } = await clients.scheduler.cancelJob({
        customer: request.params.customer,
        jobId: request.params.id,
        reason: request.body?.reason ?? '',
        author: permit.caller.name,
      })
      return jobView(job!)
    },
  )

  app.get<{
    Params: { customer: string; id: string }
    Querystring: { follow?: boolean; raw?: boolean } & LineRange
  }>(
    '/:customer/job/:id/log',
    {
      schema: {
        operationId: 'getJobLog',
        tags: ['jobs'],
        summary:
          "A job's output (stdout and stderr as they came) as UTF-8 text, U+FFFD standing for what text cannot hold (bytes that are not UTF-8, NUL); with raw=true, the exact bytes the script wrote; with follow=true, streamed (chunked) while the job runs, until it ends; with offset and limit, or tail, a range of its lines as JSON with the total line count (also in X-Taskforge-Total-Lines), so a viewer opens a long log at its end and scrolls by ranges",
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            follow: {
              type: 'boolean',
              description: `stream the log while the job runs, until it ends, the token is revoked, or after ${logFollowMaxMs / 1000} s (LOG_FOLLOW_MAX), whichever comes first; the trailer x-taskforge-follow-end says which (done, revoked, max-duration)`,
            },
            raw: {
              type: 'boolean',
              description: 'the bytes the script wrote, as application/octet-stream, instead of text',
            },
            offset: {
              type: 'integer',
              minimum: 0,
              maximum: 1_000_000_000,
              description:
                'answer JSON lines from this 0-based line (with limit): { offset, lines, total_lines, complete }',
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LOG_LINES,
              description: `how many lines from offset (at most ${MAX_LOG_LINES}); answers JSON`,
            },
            tail: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LOG_LINES,
              description: `the last N lines (at most ${MAX_LOG_LINES}); answers JSON, its offset says where they start`,
            },
            access_token: { type: 'string' },
          },
        },
        response: {
          200: {
            description:
              'The log. Headers: X-Taskforge-Log-Complete (true once the job ended and all its output is here), X-Taskforge-Truncated-Bytes (what the bot dropped past its limit)',
            content: {
              'text/plain': { schema: { type: 'string' } },
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              'application/json': { schema: logRangeSchema },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { offset, limit, tail } = request.query
      const ranged = offset !== undefined || limit !== undefined || tail !== undefined
      if (ranged && (request.query.follow === true || request.query.raw === true))
        throw badRequest('offset, limit and tail answer lines as JSON: not with follow or raw')
      if (tail !== undefined && (offset !== undefined || limit !== undefined))
        throw badRequest('tail is the last lines: not with offset or limit')
      const permit = await access.permit(request, request.params.customer, 'viewer')
      await access.job(permit, request.params.id)
      const customer = request.params.customer
      const jobId = request.params.id
      if (ranged) {
        // The scheduler reads only the chunks that hold the range: a tail costs the same whatever the log's length.
        const range = await clients.scheduler.getJobLogLines({
          customer,
          jobId,
          offset: offset ?? 0,
          limit: Math.min(limit ?? MAX_LOG_LINES, MAX_LOG_LINES),
          ...(tail === undefined ? {} : { tail: Math.min(tail, MAX_LOG_LINES) }),
        })
        void reply
          .type('application/json; charset=utf-8')
          .header('x-taskforge-log-complete', String(range.done))
          .header('x-taskforge-total-lines', String(range.totalLines))
        if (range.truncatedBytes > 0n)
          void reply.header('x-taskforge-truncated-bytes', String(range.truncatedBytes))
        return {
          offset: range.offset,
          lines: range.lines,
          total_lines: range.totalLines,
          complete: range.done,
          ...(range.truncatedBytes > 0n ? { truncated_bytes: Number(range.truncatedBytes) } : {}),
        }
      }
      const raw = request.query.raw === true
      const page = (afterSeq: number, waitMs: number) =>
        clients.scheduler.getJobLog(
          { customer, jobId, afterSeq, waitMs, raw },
          { deadlineMs: waitMs + 10_000 },
        )
      const contentOf = (page: GetJobLogResponse): string | Buffer => (raw ? bytesOf(page) : textOf(page))
      // Asked before answering, so that a failure is an error answer rather than a broken stream.
      const first = await page(-1, 0)
      let afterSeq = first.chunks.at(-1)?.seq ?? -1
      if (raw) {
        void reply.type('application/octet-stream')
        void reply.header('content-disposition', `attachment; filename="${jobId}.log"`)
      } else void reply.type('text/plain; charset=utf-8')

      if (request.query.follow !== true) {
        const parts = [contentOf(first)]
        let last = first
        while (last.chunks.length > 0 && !last.done) {
          last = await page(afterSeq, 0)
          parts.push(contentOf(last))
          afterSeq = last.chunks.at(-1)?.seq ?? afterSeq
        }
        void reply.header('x-taskforge-log-complete', String(last.done))
        if (last.truncatedBytes > 0n)
          void reply.header('x-taskforge-truncated-bytes', String(last.truncatedBytes))
        return raw ? Buffer.concat(parts as Buffer[]) : parts.join('')
      }

      const gone = new AbortController()
      request.raw.on('close', () => gone.abort())
      // A follow may send nothing for long (a silent job): its own bounds below replace the idle one.
      request.raw.socket?.setTimeout(0)
      const log = request.log
      const endsAt = Date.now() + logFollowMaxMs
      let ended: FollowEnd | undefined
      void reply.trailer('x-taskforge-follow-end', async () => ended ?? 'client-gone')
      /** Whether the follower's token still stands (not revoked, same organization and role). */
      const stillAllowed = () =>
        access.permit(request, customer, 'viewer').then(
          () => true,
          () => false,
        )
      async function* follow(): AsyncGenerator<string | Buffer> {
        const head = contentOf(first)
        if (head.length > 0) yield head
        if (first.done) ended = 'done'
        while (ended === undefined && !gone.signal.aborted) {
          const remaining = endsAt - Date.now()
          if (remaining <= 0) ended = 'max-duration'
          else if (!(await stillAllowed())) ended = 'revoked'
          else {
            let next: GetJobLogResponse
            try {
              next = await page(afterSeq, Math.min(FOLLOW_RECHECK_MS, remaining))
            } catch (error) {
              log.warn({ err: error, jobId }, 'log follow ended early')
              ended = 'error'
              return
            }
            afterSeq = next.chunks.at(-1)?.seq ?? afterSeq
            if (next.done) ended = 'done'
            const content = contentOf(next)
            if (content.length > 0) yield content
          }
        }
        if (ended !== undefined) log.debug({ jobId, ended }, 'log follow ended')
      }
      return reply.send(Readable.from(follow(), { objectMode: false }))
    },
  )
}
