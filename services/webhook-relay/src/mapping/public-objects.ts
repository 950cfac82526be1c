import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'

/**
 * The objects as the public REST API shows them (snake_case JSON), which is what `event_data`
 * carries. The relay keeps the latest of each from the events alone, without asking their owners.
 */
export interface PublicTask {
  id: string
  customer: string
  name: string
  host_id: string
  script_id: string
  tags: string[]
  task_arguments: Record<string, unknown>[]
  run_as: string
  description: string
  acls: string[]
  triggers: Record<string, unknown>[]
  grace_time: number
  timeout: number
  multitasking: boolean
  /** Names only: outgoing webhooks never carry env values (each is "****"). */
  env: Record<string, string>
  /** Names of the write-only variables, each with "****". */
  secret_env?: Record<string, string>
  version: number
  creation_date: string | null
  last_update: string | null
}

export interface PublicJobResult {
  code: number | null
  signal: string | null
  killed: boolean
  log: string
  lastline: string
  reason?: string
}

export interface PublicJob {
  id: string
  task_id: string
  name: string
  customer: string
  host_id: string
  lifecycle: string
  state: string
  task_arguments_values: string[]
  output: string[]
  result: PublicJobResult | Record<string, never>
  origin: string
  creation_date: string | null
  last_update: string | null
}

export interface PublicBot {
  id: string
  name: string
  customer: string
  online: boolean
  last_seen: string | null
  creation_date: string | null
}

export interface PublicScript {
  id: string
  customer: string
  filename: string
  description: string
  version: number
  creation_date: string | null
  last_update: string | null
}

/** An incoming webhook, without its secret. */
export interface PublicIncomingWebhook {
  id: string
  customer: string
  name: string
  creation_date: string | null
}

/** A schedule as subscribers see it (docs/schedules.md). */
export interface PublicSchedule {
  id: string
  customer: string
  task_id: string
  cron: string
  timezone: string
  enabled: boolean
  overlap: string
  note: string
  version: number
  creation_date: string | null
  last_update: string | null
}

export type PublicObject =
  | PublicTask
  | PublicJob
  | PublicBot
  | PublicScript
  | PublicIncomingWebhook
  | PublicSchedule

/** What a webhook shows of every env value. */
export const MASKED_VALUE = '****'

/** Names with masked values: receivers learn which variables a task has, never their values. */
export function maskedNames(names: Iterable<string>): Record<string, string> {
  return Object.fromEntries([...names].map((name) => [name, MASKED_VALUE]))
}

/** The definition fields of a task, as the gateway's task view shows them to a non-admin. */
export function definitionFields(d: TaskDefinition | undefined) {
  return {
    name: d?.name ?? '',
    host_id: d?.hostId ?? '',
    script_id: d?.scriptId ?? '',
    tags: d?.tags ?? [],
    task_arguments: (d?.taskArguments ?? []).map((a) => ({
      order: a.order,
      type: a.type,
      label: a.label,
      value: a.value,
      required: a.required,
      ...(a.options.length > 0 ? { options: a.options } : {}),
    })),
    run_as: d?.runAs ?? '',
    description: d?.description ?? '',
    acls: d?.acls ?? [],
    triggers: (d?.triggers ?? []).map((t) =>
      t.webhookId ? { webhook_id: t.webhookId } : { task_id: t.taskId, event: t.event },
    ),
    grace_time: d?.graceTime ?? 0,
    timeout: d?.timeout ?? TaskDefaults.timeoutSeconds,
    multitasking: d?.multitasking ?? TaskDefaults.multitasking,
    env: maskedNames(Object.keys(d?.env ?? {})),
    secret_env: maskedNames(Object.keys(d?.secretEnv ?? {}).sort()),
  }
}
