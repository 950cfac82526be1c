import type { Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'

const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

/** What is shown in place of a value that may not be shown (env values to non-admins, every secret). */
export const MASK = '****'

/** Whether a task's env values are shown: to admins only (decision 18); others get the names. */
export type EnvValues = 'shown' | 'masked'

/** Names with masked values: the reader learns which variables a task has, never their values. */
export function maskedNames(names: Iterable<string>): Record<string, string> {
  return Object.fromEntries([...names].map((name) => [name, MASK]))
}

/** The definition fields of a task as the public API shows them. */
export function taskDefinitionView(d: TaskDefinition | undefined, env: EnvValues) {
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
    env: env === 'shown' ? (d?.env ?? {}) : maskedNames(Object.keys(d?.env ?? {})),
    // Write-only for everyone: the values are sealed, and neither the gateway nor the relay has them.
    secret_env: maskedNames(Object.keys(d?.secretEnv ?? {}).sort()),
  }
}

/** A task as `GET /:customer/task/:id` answers it and as webhooks carry it (env masked). */
export type PublicTask = { id: string; customer: string } & ReturnType<typeof taskDefinitionView> & {
    version: number
    creation_date: string | null
    last_update: string | null
  }

/**
 * The public JSON of a task, from the catalog's `catalog.v1.Task`. The gateway answers it and the
 * webhook relay sends it (with env values masked): one shape for both.
 *
 * @example
 * reply.send(publicTask(task, caller.role === 'admin' ? 'shown' : 'masked'))
 */
export function publicTask(task: Task, env: EnvValues): PublicTask {
  return {
    id: task.id,
    customer: task.customer,
    ...taskDefinitionView(task.definition, env),
    version: task.version,
    creation_date: iso(task.creationDate),
    last_update: iso(task.lastUpdate),
  }
}
