import { int } from './config.js'
import { AppError, ErrorKinds } from './errors.js'

/**
 * One bound on how much of the shared platform one organization, task or token holds or asks for
 * at once, so that none can take another's share. Unlike a {@link Limit} on the size of an input,
 * a quota is about the tenant's load: past it the answer is 429 with `Retry-After`, and the same
 * request may pass later. Each is decided by the service that holds what it counts, and each is an
 * operator setting whose default is here.
 */
export interface Quota {
  /** How messages and documents name it: `queued jobs per task`. */
  readonly name: string
  /** The default: `value` passes, one more is refused. */
  readonly value: number
  /** What is counted: `subscriptions`, `jobs`, `runs per second`. */
  readonly unit: string
  /** The environment variable that changes it, read by {@link service}. */
  readonly setting: string
  /** The service that counts and decides. */
  readonly service: 'gateway' | 'job-scheduler' | 'webhook-relay'
  /** The `Retry-After` the refusal carries (seconds): when trying again may pass. */
  readonly retryAfterSeconds: number
  /** One line: what it bounds. */
  readonly meaning: string
}

export const Quotas = {
  subscriptionsPerOrganization: {
    name: 'subscriptions per organization',
    value: 100,
    unit: 'subscriptions',
    setting: 'WEBHOOK_MAX_SUBSCRIPTIONS',
    service: 'webhook-relay',
    retryAfterSeconds: 60,
    meaning:
      'live outgoing-webhook subscriptions of one organization (a deletion makes room); counted in the transaction that creates one, so it is never passed',
  },
  queuedJobsPerTask: {
    name: 'queued jobs per task',
    value: 1000,
    unit: 'jobs',
    setting: 'MAX_QUEUED_JOBS_PER_TASK',
    service: 'job-scheduler',
    retryAfterSeconds: 5,
    meaning:
      'jobs of one task no bot has started yet (on hold, waiting or assigned): a run past it is refused until some start or are canceled',
  },
  queuedJobsPerOrganization: {
    name: 'queued jobs per organization',
    value: 10000,
    unit: 'jobs',
    setting: 'MAX_QUEUED_JOBS_PER_ORGANIZATION',
    service: 'job-scheduler',
    retryAfterSeconds: 5,
    meaning: "jobs of one organization's tasks no bot has started yet",
  },
  runsPerToken: {
    name: 'runs per token per second',
    value: 200,
    unit: 'runs per second',
    setting: 'GATEWAY_RUNS_PER_SECOND',
    service: 'gateway',
    retryAfterSeconds: 1,
    meaning:
      'runs asked with one token in one second, on every run route (a run by secret key: per task and client address); counted by each gateway replica',
  },
  sessionAttemptsPerAddress: {
    name: 'sign-ins per client address per minute',
    value: 30,
    unit: 'sign-ins per minute',
    setting: 'GATEWAY_SIGN_INS_PER_MINUTE',
    service: 'gateway',
    retryAfterSeconds: 60,
    meaning:
      'console sign-ins (POST /session), good or bad, from one client address in one minute: a bound on guessing tokens; counted by each gateway replica',
  },
  eventStreamsPerOrganization: {
    name: 'event streams per organization',
    value: 100,
    unit: 'streams',
    setting: 'GATEWAY_EVENT_STREAMS_PER_ORGANIZATION',
    service: 'gateway',
    retryAfterSeconds: 5,
    meaning:
      'open live event streams (GET /:customer/events) of one organization on one gateway replica; a closed one makes room',
  },
} as const satisfies Record<string, Quota>

export type QuotaKey = keyof typeof Quotas

/** Every quota with its key, in the order above. */
export const QUOTA_TABLE: readonly (Quota & { readonly key: QuotaKey })[] = (
  Object.entries(Quotas) as [QuotaKey, Quota][]
).map(([key, quota]) => ({ key, ...quota }))

/** The setting of a quota, for a service's `config.ts`: the operator's value, or the default. */
export const quotaSetting = (quota: Quota) =>
  int(
    quota.setting,
    `Quota: ${quota.name}, at most (${quota.unit}); past it, 429 with Retry-After (docs/limits.md)`,
    quota.value,
  )

/**
 * The refusal past a quota: 429 `TOO_MANY_REQUESTS`, naming the quota, its value in force and, in
 * `details.retry_after_seconds`, the `Retry-After` the gateway answers with.
 *
 * @example
 * quotaExceeded(Quotas.queuedJobsPerTask, 1000, 'task 0190…').message
 * // 'task 0190… has 1000 jobs not started; the limit is 1000 (queued jobs per task)'
 */
export function quotaExceeded(quota: Quota, maximum: number, subject: string): AppError {
  return new AppError(
    ErrorKinds.TOO_MANY_REQUESTS,
    `${subject}; the limit is ${maximum} ${quota.unit} (${quota.name})`,
    {
      details: {
        limit: quota.name,
        maximum,
        unit: quota.unit,
        retry_after_seconds: quota.retryAfterSeconds,
      },
    },
  )
}
