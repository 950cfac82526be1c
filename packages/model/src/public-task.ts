import type { Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'

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

/** A catalog object's public JSON: its id and organization, its definition's view, its version and dates. */
export type PublicCatalogObject<View> = { id: string; customer: string } & View & {
    version: number
    creation_date: string | null
    last_update: string | null
  }

/** Puts a definition's view between the fields every catalog object (task, workflow) answers with. */
export function publicCatalogObject<View>(
  object: { id: string; customer: string; version: number; creationDate?: Date; lastUpdate?: Date },
  view: View,
): PublicCatalogObject<View> {
  return {
    id: object.id,
    customer: object.customer,
    ...view,
    version: object.version,
    creation_date: object.creationDate ? object.creationDate.toISOString() : null,
    last_update: object.lastUpdate ? object.lastUpdate.toISOString() : null,
  }
}

/** A task as `GET /:customer/task/:id` answers it and as webhooks carry it (env masked). */
export type PublicTask = PublicCatalogObject<ReturnType<typeof taskDefinitionView>>

/**
 * The public JSON of a task, from the catalog's `catalog.v1.Task`. The gateway answers it and the
 * webhook relay sends it (with env values masked): one shape for both.
 *
 * @example
 * reply.send(publicTask(task, caller.role === 'admin' ? 'shown' : 'masked'))
 */
export function publicTask(task: Task, env: EnvValues): PublicTask {
  return publicCatalogObject(task, taskDefinitionView(task.definition, env))
}
