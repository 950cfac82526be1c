import type { Bot, BotCredentials } from '@taskforge/proto/bots/v1/bot_service'
import type { Recipe } from '@taskforge/proto/catalog/v1/catalog_service'
import type { Script, Task, TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import type { Job } from '@taskforge/proto/jobs/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { contentView } from './script-input.js'
import { MASK } from './task-input.js'

/** JSON shapes of the public API, built from the owners' gRPC messages. */
const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

/** Whether a task's env values are shown: to admins only (decision 18); others get the names. */
export type EnvValues = 'shown' | 'masked'

const masked = (names: Iterable<string>) => Object.fromEntries([...names].map((name) => [name, MASK]))

export function definitionView(d: TaskDefinition | undefined, env: EnvValues) {
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
    env: env === 'shown' ? (d?.env ?? {}) : masked(Object.keys(d?.env ?? {})),
    // Write-only for everyone: the values are sealed, and the gateway never has them.
    secret_env: masked(Object.keys(d?.secretEnv ?? {}).sort()),
  }
}

export function taskView(task: Task, env: EnvValues) {
  return {
    id: task.id,
    customer: task.customer,
    ...definitionView(task.definition, env),
    version: task.version,
    creation_date: iso(task.creationDate),
    last_update: iso(task.lastUpdate),
  }
}

/**
 * A recipe as JSON: the task without its ids, secret, acls and env values, and the script it runs.
 * Variable names come with empty values, secret ones too: the importer sees what to set.
 */
export function recipeView(recipe: Recipe) {
  const {
    host_id: _host,
    script_id: _script,
    acls: _acls,
    triggers: _triggers,
    ...task
  } = definitionView(recipe.task, 'shown')
  return {
    task: { ...task, secret_env: Object.fromEntries(Object.keys(task.secret_env).map((name) => [name, ''])) },
    script: {
      filename: recipe.scriptFilename,
      description: recipe.scriptDescription,
      ...contentView(recipe.scriptContent),
    },
  }
}

export function scriptView(script: Script, withContent = true) {
  return {
    id: script.id,
    customer: script.customer,
    filename: script.filename,
    description: script.description,
    ...(withContent ? contentView(script.content) : {}),
    version: script.version,
    creation_date: iso(script.creationDate),
    last_update: iso(script.lastUpdate),
  }
}

export function jobView(job: Job) {
  const r = job.result
  return {
    id: job.id,
    task_id: job.taskId,
    name: job.name,
    customer: job.customer,
    host_id: job.hostId,
    lifecycle: job.lifecycle,
    state: job.state,
    task_arguments_values: job.taskArgumentsValues,
    output: job.output,
    result: r
      ? {
          code: r.code ?? null,
          signal: r.signal || null,
          killed: r.killed,
          log: r.log,
          lastline: r.lastline,
          ...(r.truncatedBytes > 0n ? { truncated_bytes: Number(r.truncatedBytes) } : {}),
          ...(r.abridged ? { abridged: true } : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        }
      : {},
    origin: job.origin,
    creation_date: iso(job.creationDate),
    last_update: iso(job.lastUpdate),
  }
}

export function botView(bot: Bot) {
  return {
    id: bot.id,
    name: bot.name,
    customer: bot.customer,
    online: bot.online,
    last_seen: iso(bot.lastSeen),
    running_jobs: bot.runningJobs,
    creation_date: iso(bot.creationDate),
  }
}

export function credentialsView(c: BotCredentials) {
  return {
    id: c.botId,
    name: c.name,
    customer: c.customer,
    secret: c.secret,
    nats_url: c.natsUrl,
    nats_user: c.natsUser,
    nats_password: c.natsPassword,
    nats_jwt: c.natsJwt,
    nats_seed: c.natsSeed,
    nats_inbox_prefix: c.natsInboxPrefix,
    dispatch_subject: c.dispatchSubject,
    report_subject: c.reportSubject,
    dispatch_stream: c.dispatchStream,
    dispatch_consumer: c.dispatchConsumer,
  }
}
