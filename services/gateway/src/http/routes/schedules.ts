import { isAppError, notFound, Quotas, validationFailed } from '@taskforge/core'
import type { Schedule, ScheduleFire, ScheduleSpec } from '@taskforge/proto/jobs/v1/schedules'
import { SCHEDULE_SPEC_FIELDS } from '@taskforge/protocol'
import type { FastifyInstance } from 'fastify'
import type { Clients } from '../../clients/clients.js'
import type { Access, Permit } from '../access.js'
import { etagOf, expectedVersion } from '../if-match.js'
import { limitedString } from '../limit-schema.js'
import { customerParams, idParams, quotaResponse, tokenQuery } from '../schemas.js'
import { runArguments } from '../task-input.js'

/** Bounds the gateway shows; the scheduler holds them again. */
const MAX_JITTER = 3600
const MAX_CATCHUP_WINDOW = 7 * 24 * 3600
const MAX_PREVIEW = 1000
const MAX_BACKFILL = 1000

const instant = { type: 'string', format: 'date-time' } as const
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const

/** The fields of a schedule a client sets (all optional on PATCH). */
const scheduleBodyProperties = {
  cron: limitedString('scheduleCron', {
    minLength: 1,
    description: '5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first',
  }),
  timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone; default UTC' },
  task_arguments: {
    type: 'array',
    maxItems: 1000,
    description:
      "The run's values (as a run's task_arguments), checked against the task now and at each fire",
  },
  start_at: { ...nullableInstant, description: 'no fire before this instant' },
  end_at: { ...nullableInstant, description: 'no fire after this instant' },
  max_runs: {
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    description: 'runs after which it ends; 0: no bound',
  },
  jitter: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_JITTER,
    description: 'seconds; each fire waits a delay in [0, jitter]',
  },
  overlap: {
    type: 'string',
    enum: ['skip', 'buffer_one', 'allow_all', 'cancel_running'],
    description: 'when the previous run still runs: skip (default), buffer_one, allow_all, cancel_running',
  },
  catchup_window: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_CATCHUP_WINDOW,
    description: 'seconds a fire missed during downtime may still start late (default 300)',
  },
  enabled: { type: 'boolean', description: 'false: paused' },
  note: limitedString('scheduleNote'),
  access_token: { type: 'string', maxLength: 200 },
} as const

const scheduleBody = {
  type: 'object',
  additionalProperties: false,
  properties: scheduleBodyProperties,
} as const

const fireSchema = {
  type: 'object',
  required: ['schedule_id', 'scheduled_for', 'outcome', 'kind'],
  properties: {
    schedule_id: { type: 'string' },
    scheduled_for: instant,
    outcome: {
      type: 'string',
      enum: ['started', 'skipped_overlap', 'buffered', 'missed', 'failed_to_start'],
    },
    kind: { type: 'string', enum: ['schedule', 'trigger', 'backfill'] },
    job_id: { type: ['string', 'null'] },
    reason: { type: 'string' },
    fired_at: nullableInstant,
  },
} as const

const scheduleSchema = {
  type: 'object',
  required: ['id', 'customer', 'task_id', 'cron', 'timezone', 'state', 'enabled', 'overlap', 'runs'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    task_id: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    task_arguments: { type: 'array', items: { type: 'string' } },
    start_at: nullableInstant,
    end_at: nullableInstant,
    max_runs: { type: 'integer' },
    jitter: { type: 'integer' },
    overlap: { type: 'string' },
    catchup_window: { type: 'integer' },
    enabled: { type: 'boolean' },
    note: { type: 'string' },
    state: { type: 'string', enum: ['active', 'paused', 'error', 'ended'] },
    error: {
      type: 'string',
      description: 'why the schedule cannot fire (its task is gone); empty otherwise',
    },
    next_fire_at: nullableInstant,
    runs: { type: 'integer', description: 'runs started so far' },
    revision: {
      type: 'integer',
      description: 'edits so far (1 when created; fires leave it): the ETag, and what If-Match names',
    },
    last_fire: {
      anyOf: [
        { ...fireSchema, description: 'the latest fire recorded (any kind), as the fires list shows it' },
        { type: 'null' },
      ],
    },
    creation_date: nullableInstant,
    last_update: nullableInstant,
    author: { type: 'string' },
  },
} as const

type ScheduleBody = {
  cron?: string
  timezone?: string
  task_arguments?: unknown[]
  start_at?: string | null
  end_at?: string | null
  max_runs?: number
  jitter?: number
  overlap?: string
  catchup_window?: number
  enabled?: boolean
  note?: string
}

function instantOf(value: string | null | undefined, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined
  const at = new Date(value)
  if (Number.isNaN(at.getTime())) throw validationFailed(`${field} is not an instant`, { field })
  return at
}

/** The spec a body gives, and the fields it names. */
function specOf(body: ScheduleBody): { spec: ScheduleSpec; fields: string[] } {
  const spec: ScheduleSpec = {
    cron: body.cron ?? '',
    timezone: body.timezone ?? '',
    taskArguments:
      body.task_arguments === undefined ? [] : runArguments({ task_arguments: body.task_arguments }),
    startAt: instantOf(body.start_at, 'start_at'),
    endAt: instantOf(body.end_at, 'end_at'),
    maxRuns: body.max_runs ?? 0,
    jitterSeconds: body.jitter ?? 0,
    overlap: body.overlap ?? '',
    catchupWindowSeconds: body.catchup_window ?? 300,
    enabled: body.enabled ?? true,
    note: body.note ?? '',
  }
  return { spec, fields: SCHEDULE_SPEC_FIELDS.filter((field) => body[field] !== undefined) }
}

const iso = (at: Date | undefined) => (at === undefined ? null : at.toISOString())

/** A schedule as the API shows it. */
export function scheduleView(schedule: Schedule) {
  const spec = schedule.spec
  return {
    id: schedule.id,
    customer: schedule.customer,
    task_id: schedule.taskId,
    cron: spec?.cron ?? '',
    timezone: spec?.timezone ?? 'UTC',
    task_arguments: spec?.taskArguments ?? [],
    start_at: iso(spec?.startAt),
    end_at: iso(spec?.endAt),
    max_runs: spec?.maxRuns ?? 0,
    jitter: spec?.jitterSeconds ?? 0,
    overlap: spec?.overlap ?? 'skip',
    catchup_window: spec?.catchupWindowSeconds ?? 300,
    enabled: spec?.enabled ?? false,
    note: spec?.note ?? '',
    state: schedule.state,
    error: schedule.error,
    next_fire_at: iso(schedule.nextFireAt),
    runs: schedule.runs,
    revision: schedule.revision,
    last_fire: schedule.lastFire === undefined ? null : fireView(schedule.lastFire),
    creation_date: iso(schedule.createdAt),
    last_update: iso(schedule.updatedAt),
    author: schedule.author,
  }
}

export function fireView(fire: ScheduleFire) {
  return {
    schedule_id: fire.scheduleId,
    scheduled_for: iso(fire.scheduledFor),
    outcome: fire.outcome,
    kind: fire.kind,
    job_id: fire.jobId === '' ? null : fire.jobId,
    reason: fire.reason,
    fired_at: iso(fire.firedAt),
  }
}

type IdRoute = { Params: { customer: string; id: string } }

/**
 * Schedules of tasks, owned by job-scheduler: admins create, change, delete, trigger and backfill
 * them; viewers read the schedules of the tasks they may see (the task's acls, through the one
 * authorization function), and a schedule of a task they may not see is a 404.
 */
export function scheduleRoutes(app: FastifyInstance, deps: { clients: Clients; access: Access }): void {
  const { clients, access } = deps
  const tags = ['schedules']
  const scheduler = () => clients.scheduler

  /** The schedule, when the permit's caller sees its task. */
  async function schedule(permit: Permit, scheduleId: string): Promise<Schedule> {
    const { schedule } = await scheduler().getSchedule({ customer: permit.customer, scheduleId })
    if (schedule === undefined) throw notFound('schedule', scheduleId)
    try {
      await access.checkTask(permit, schedule.taskId)
    } catch (error) {
      // A schedule of a task the caller may not see is as unknown as that task.
      if (isAppError(error) && error.code === 'NOT_FOUND') throw notFound('schedule', scheduleId)
      throw error
    }
    return schedule
  }

  app.post<IdRoute & { Body: ScheduleBody }>(
    '/:customer/task/:id/schedule',
    {
      schema: {
        operationId: 'createSchedule',
        tags,
        summary: 'Schedule a task: runs it on a cron, in a time zone',
        description: `An organization has at most ${Quotas.schedulesPerOrganization.value} schedules by default (\`${Quotas.schedulesPerOrganization.setting}\`); past it, 429. See docs/schedules.md for the daylight-saving rules.`,
        params: idParams,
        body: { ...scheduleBody, required: ['cron'] },
        response: {
          201: scheduleSchema,
          429: quotaResponse('the organization has as many schedules as its quota allows'),
        },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'admin')
      await access.task(permit, request.params.id)
      const { spec } = specOf(request.body)
      const { schedule } = await scheduler().createSchedule({
        customer: permit.customer,
        taskId: request.params.id,
        spec,
        author: permit.caller.name,
      })
      return reply.status(201).header('etag', etagOf(schedule!.revision)).send(scheduleView(schedule!))
    },
  )

  app.get<IdRoute>(
    '/:customer/task/:id/schedule',
    {
      schema: {
        operationId: 'listTaskSchedules',
        tags,
        summary: "List a task's schedules",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: { type: 'array', items: scheduleSchema } },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      await access.task(permit, request.params.id)
      const { schedules } = await scheduler().listSchedules({
        customer: permit.customer,
        taskId: request.params.id,
        limit: 1000,
        visibleTasks: undefined,
      })
      return schedules.map(scheduleView)
    },
  )

  app.get<{ Params: { customer: string }; Querystring: { task_id?: string; limit?: number } }>(
    '/:customer/schedule',
    {
      schema: {
        operationId: 'listSchedules',
        tags,
        summary: "List the organization's schedules (of the tasks the caller sees)",
        params: customerParams,
        querystring: {
          type: 'object',
          properties: {
            task_id: { type: 'string', maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: { type: 'array', items: scheduleSchema } },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const visible = await access.visibleTaskIds(permit)
      const { schedules } = await scheduler().listSchedules({
        customer: permit.customer,
        taskId: request.query.task_id ?? '',
        limit: request.query.limit ?? 100,
        visibleTasks: visible === undefined ? undefined : { ids: [...visible] },
      })
      return schedules.map(scheduleView)
    },
  )

  app.get<IdRoute>(
    '/:customer/schedule/:id',
    {
      schema: {
        operationId: 'getSchedule',
        tags,
        summary: 'Get a schedule',
        params: idParams,
        querystring: tokenQuery,
        response: { 200: scheduleSchema },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      const found = await schedule(permit, request.params.id)
      return reply.header('etag', etagOf(found.revision)).send(scheduleView(found))
    },
  )

  app.patch<IdRoute & { Body: ScheduleBody }>(
    '/:customer/schedule/:id',
    {
      schema: {
        operationId: 'updateSchedule',
        tags,
        summary:
          'Change a schedule: the fields given; `enabled: false` pauses it, `enabled: true` resumes it (what passed meanwhile is not replayed). If-Match: its revision, optional (412 when it moved)',
        params: idParams,
        body: scheduleBody,
        response: { 200: scheduleSchema },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'admin')
      await schedule(permit, request.params.id)
      const expectedRevision = expectedVersion(request.headers['if-match'])
      const { spec, fields } = specOf(request.body ?? {})
      const { schedule: updated } = await scheduler().updateSchedule({
        customer: permit.customer,
        scheduleId: request.params.id,
        spec,
        fields,
        author: permit.caller.name,
        expectedRevision,
      })
      return reply.header('etag', etagOf(updated!.revision)).send(scheduleView(updated!))
    },
  )

  app.delete<IdRoute>(
    '/:customer/schedule/:id',
    {
      schema: {
        operationId: 'deleteSchedule',
        tags,
        summary: 'Delete a schedule (its jobs stay)',
        params: idParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const permit = await access.permit(request, request.params.customer, 'admin')
      await schedule(permit, request.params.id)
      await scheduler().deleteSchedule({
        customer: permit.customer,
        scheduleId: request.params.id,
        author: permit.caller.name,
      })
      return reply.status(204).send()
    },
  )

  app.post<IdRoute>(
    '/:customer/schedule/:id/trigger',
    {
      schema: {
        operationId: 'triggerSchedule',
        tags,
        summary:
          "Fire a schedule now, under its overlap policy (also when paused); answers the fire's record",
        params: idParams,
        querystring: tokenQuery,
        response: { 200: fireSchema },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'admin')
      await schedule(permit, request.params.id)
      const { fire } = await scheduler().triggerSchedule({
        customer: permit.customer,
        scheduleId: request.params.id,
        author: permit.caller.name,
      })
      return fireView(fire!)
    },
  )

  app.post<IdRoute & { Body: { from: string; to: string } }>(
    '/:customer/schedule/:id/backfill',
    {
      schema: {
        operationId: 'backfillSchedule',
        tags,
        summary: `Fire every scheduled time of a past range [from, to], under the overlap policy; at most ${MAX_BACKFILL} fires, and a time backfilled already is not fired again`,
        params: idParams,
        body: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: { from: instant, to: instant, access_token: { type: 'string', maxLength: 200 } },
        },
        response: { 200: { type: 'array', items: fireSchema } },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'admin')
      await schedule(permit, request.params.id)
      const { fires } = await scheduler().backfillSchedule({
        customer: permit.customer,
        scheduleId: request.params.id,
        from: instantOf(request.body.from, 'from'),
        to: instantOf(request.body.to, 'to'),
        author: permit.caller.name,
      })
      return fires.map(fireView)
    },
  )

  app.get<IdRoute & { Querystring: { from?: string; count?: number } }>(
    '/:customer/schedule/:id/preview',
    {
      schema: {
        operationId: 'previewSchedule',
        tags,
        summary: 'The next fire times after `from` (default now), computed only; also for a paused schedule',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            from: instant,
            count: { type: 'integer', minimum: 1, maximum: MAX_PREVIEW },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['times'],
            properties: { times: { type: 'array', items: instant } },
          },
        },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      await schedule(permit, request.params.id)
      const { times } = await scheduler().previewSchedule({
        customer: permit.customer,
        scheduleId: request.params.id,
        from: instantOf(request.query.from, 'from'),
        count: request.query.count ?? 10,
      })
      return { times: times.map((at) => at.toISOString()) }
    },
  )

  app.get<IdRoute & { Querystring: { limit?: number } }>(
    '/:customer/schedule/:id/fires',
    {
      schema: {
        operationId: 'listScheduleFires',
        tags,
        summary:
          "A schedule's fires, newest first: scheduled time, outcome (started, skipped_overlap, buffered, missed, failed_to_start), job and reason",
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            access_token: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: { type: 'array', items: fireSchema } },
      },
    },
    async (request) => {
      const permit = await access.permit(request, request.params.customer, 'viewer')
      await schedule(permit, request.params.id)
      const { fires } = await scheduler().listScheduleFires({
        customer: permit.customer,
        scheduleId: request.params.id,
        limit: request.query.limit ?? 100,
      })
      return fires.map(fireView)
    },
  )
}
