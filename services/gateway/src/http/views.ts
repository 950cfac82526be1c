import { type EnvValues, type PublicTask, publicJob, publicTask, taskDefinitionView } from '@taskforge/model'
import type { Bot, BotCredentials } from '@taskforge/proto/bots/v1/bot_service'
import type { Recipe } from '@taskforge/proto/catalog/v1/catalog_service'
import type { Script, Task } from '@taskforge/proto/catalog/v1/model'
import { contentView } from './script-input.js'

/** JSON shapes of the public API, built from the owners' gRPC messages. */
const iso = (date: Date | undefined) => (date ? date.toISOString() : null)

const taskViews = new WeakMap<Task, Partial<Record<EnvValues, PublicTask>>>()

/**
 * A task as the API shows it: the shape webhooks carry too (one view for both, decision 23). Made
 * once per task object and env mode, and kept with the object: the tasks a replica keeps (decision
 * 33) are answered many times over, and no one changes a task or a view in place (views are frozen).
 */
export function taskView(task: Task, env: EnvValues): PublicTask {
  let views = taskViews.get(task)
  if (views === undefined) {
    views = {}
    taskViews.set(task, views)
  }
  views[env] ??= Object.freeze(publicTask(task, env))
  return views[env]
}

/** A job as the API shows it: the shape webhooks carry too (one view for both, decision 23). */
export const jobView = publicJob

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
  } = taskDefinitionView(recipe.task, 'shown')
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
