import { Limits } from '@taskforge/core'
import { JobLifecycles } from '@taskforge/model'
import { limitedList, limitedMap, limitedString } from './limit-schema.js'
import { TASK_BODY_FIELDS } from './task-input.js'
import { WORKFLOW_BODY_FIELDS } from './workflow-input.js'

/** JSON schemas shared by routes; they also feed the OpenAPI document. */
export const customerParams = {
  type: 'object',
  required: ['customer'],
  properties: { customer: { type: 'string', minLength: 1, maxLength: 100 } },
} as const

export const idParams = {
  type: 'object',
  required: ['customer', 'id'],
  properties: {
    customer: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const

const scalar = { type: ['string', 'number', 'boolean'] } as const

/** A value that may become an argument of a job. */
const argumentText = limitedString('taskArgument')

export const taskArgumentSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    order: { type: 'integer', minimum: 0, maximum: 1000 },
    type: limitedString('taskArgumentType', { minLength: 1 }),
    label: limitedString('taskArgumentLabel'),
    value: {
      anyOf: [argumentText, { type: ['number', 'boolean', 'null'] }],
      description: 'The value of a fixed argument, or the default of the others',
    },
    required: { type: 'boolean' },
    options: limitedList('taskArgumentOptionCount', {
      anyOf: [argumentText, { type: ['number', 'boolean'] }],
    }),
  },
}

const envSchema = {
  anyOf: [
    limitedMap('envCount', {
      additionalProperties: scalar,
      description: `Names to values: each name at most ${Limits.envName.value} bytes (${Limits.envName.name}), each value at most ${Limits.envValue.value} bytes as text (${Limits.envValue.name}), names and values together at most ${Limits.env.value} bytes (${Limits.env.name})`,
    }),
    {
      type: 'string',
      description: 'The same object as JSON text; the object is held to the same limits',
    },
  ],
}

const secretEnvSchema = limitedMap('envCount', {
  // One schema of two types: ajv coerces nothing when the value is either (an anyOf would turn null into "").
  additionalProperties: { ...limitedString('envValue'), type: ['string', 'null'] },
  description: `Write-only variables, beside env (a name is in one or the other): a value sets one, null removes it, "****" (as answers show every value) keeps it; names not given keep theirs. Their values are never shown again, and are replaced by "****" in what the job prints. They count with env against its limits`,
})

/** A task's or a workflow's triggers: another task's end (`task_id`, `event`) or an incoming webhook. */
const triggersSchema = limitedList('taskTriggerCount', {
  type: 'object',
  properties: {
    task_id: limitedString('objectId'),
    event: { type: 'string', enum: ['success', 'failure'] },
    webhook_id: limitedString('objectId'),
  },
})

export const taskBodySchema = {
  type: 'object',
  description: `Every text of the task together: at most ${Limits.taskDefinition.value} bytes (${Limits.taskDefinition.name})`,
  properties: {
    name: limitedString('taskName', { minLength: 1 }),
    host_id: limitedString('objectId'),
    script_id: limitedString('objectId'),
    tags: limitedList('taskTagCount', limitedString('taskTag')),
    task_arguments: limitedList('taskArgumentDefinitionCount', taskArgumentSchema),
    run_as: limitedString('taskRunAs'),
    description: limitedString('taskDescription'),
    acls: limitedList('taskAclCount', limitedString('taskAcl')),
    triggers: triggersSchema,
    grace_time: { type: 'integer', minimum: 0, maximum: 604_800 },
    timeout: { type: 'integer', minimum: 1, maximum: 86_400 },
    multitasking: { type: 'boolean' },
    env: envSchema,
    secret_env: secretEnvSchema,
  },
}

const nodeKey = limitedString('workflowNodeKey', {
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$',
  description: "Letters, digits, '_', '.' and '-'",
})
const approvers = limitedList('workflowApproverCount', limitedString('taskAcl'), {
  description: 'Token names, roles or key:value tags that may decide',
})
const expiresIn = {
  type: 'integer',
  minimum: 0,
  maximum: 2_592_000,
  description: 'Seconds until the step ends `expired` (0: 72 hours)',
}

/** One argument of a node: a fixed value, or `{ from, output }` (decision 29). */
const workflowArgumentSchema = {
  anyOf: [
    {
      type: 'object',
      required: ['from'],
      properties: {
        from: limitedString('workflowNodeKey', {
          description: "The key of a node that runs before this one, or `$run` for the run's own arguments",
        }),
        // One schema of two types: ajv coerces nothing when the value is either (an anyOf would
        // turn the label "3" into the index 3).
        output: limitedString('taskArgumentLabel', {
          type: ['integer', 'string'],
          minimum: 0,
          maximum: 999,
          description:
            "A line of the node's output by its index (0 to 999), or an input step's answer by its field's label",
        }),
      },
    },
    argumentText,
    { type: ['number', 'boolean', 'null'] },
  ],
}

const workflowNodeSchema = {
  type: 'object',
  required: ['key'],
  description: 'Exactly one of `task`, `approval` and `input`',
  properties: {
    key: nodeKey,
    task: limitedString('objectId', { description: 'The id of the task the node runs' }),
    approval: {
      type: 'object',
      properties: {
        approvers,
        required: { type: 'integer', minimum: 0, maximum: 50, description: 'Approvals needed (0: 1)' },
        expires_in: expiresIn,
      },
    },
    input: {
      type: 'object',
      properties: {
        form: limitedList('taskArgumentDefinitionCount', taskArgumentSchema, {
          description: 'The fields asked, as task arguments are defined; the answers become the output',
        }),
        approvers,
        expires_in: expiresIn,
      },
    },
    arguments: limitedList('taskArgumentCount', workflowArgumentSchema, {
      description: 'One per non-fixed argument of the task, in order, as a run gives them',
    }),
    timeout: { type: 'integer', minimum: 0, maximum: 86_400, description: "Seconds (0: the task's own)" },
    retry: {
      type: 'object',
      properties: {
        max: { type: 'integer', minimum: 0, maximum: 10, description: 'Attempts after the first' },
        backoff: {
          type: 'integer',
          minimum: 0,
          maximum: 86_400,
          description: 'Seconds before the first retry, doubled for each next one',
        },
      },
    },
    join: { type: 'string', enum: ['all', 'any'], description: 'Over several incoming edges (default all)' },
  },
}

export const workflowBodySchema = {
  type: 'object',
  description: `The whole definition as stored: at most ${Limits.workflowDefinition.value} bytes (${Limits.workflowDefinition.name})`,
  properties: {
    name: limitedString('taskName', { minLength: 1 }),
    description: limitedString('taskDescription'),
    nodes: limitedList('workflowNodeCount', workflowNodeSchema),
    edges: limitedList('workflowEdgeCount', {
      type: 'object',
      required: ['from', 'to'],
      properties: {
        from: limitedString('workflowNodeKey'),
        to: limitedString('workflowNodeKey'),
        on: limitedString('workflowEventName', {
          description:
            'success (default), failure, always, expired (approval and input steps) or a custom event name',
        }),
      },
    }),
    start: limitedString('workflowNodeKey', { description: 'The key of the node a run starts with' }),
    acls: limitedList('taskAclCount', limitedString('taskAcl')),
    env: envSchema,
    triggers: triggersSchema,
    grace_time: { type: 'integer', minimum: 0, maximum: 604_800 },
    multitasking: { type: 'boolean' },
  },
}

/** What the document shows as a workflow to create. */
export const workflowBodyExample = {
  name: 'release',
  nodes: [
    { key: 'build', task: '0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f', arguments: [{ from: '$run', output: 0 }] },
    { key: 'approve', approval: { approvers: ['ops'], required: 1 } },
    {
      key: 'deploy',
      task: '0197d2e5-6c1d-7d4a-8f4e-3b2c5d6e7f80',
      arguments: [{ from: 'build', output: 0 }],
    },
  ],
  edges: [
    { from: 'build', to: 'approve', on: 'success' },
    { from: 'approve', to: 'deploy', on: 'success' },
  ],
  start: 'build',
}

export const workflowQuery = {
  type: 'object',
  properties: {
    version: { type: 'integer', minimum: 1, maximum: 1_000_000_000, description: 'An older version to read' },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

export const taskIdParams = idParams

export const secretParams = {
  type: 'object',
  required: ['secret'],
  properties: { secret: { type: 'string', minLength: 1, maxLength: 200 } },
} as const

export const taskSecretParams = {
  type: 'object',
  required: ['customer', 'id', 'secret'],
  properties: {
    customer: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 100 },
    secret: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const

/** `access_token` may be given in the query of every route. */
export const tokenQuery = {
  type: 'object',
  properties: { access_token: { type: 'string', maxLength: 200 } },
} as const

const runArgumentsSchema = limitedList(
  'taskArgumentCount',
  {},
  {
    description: `One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most ${Limits.taskArgument.value} bytes (${Limits.taskArgument.name}), all together at most ${Limits.taskArguments.value} bytes (${Limits.taskArguments.name})`,
  },
)

const runFields = {
  task_arguments: runArgumentsSchema,
  customer: { type: 'string', maxLength: 100 },
  task: { type: 'string', maxLength: 100, description: 'The id of the task to run' },
  access_token: { type: 'string', maxLength: 200 },
  wait_result: { type: ['boolean', 'string'] },
  wait_timeout: { type: ['integer', 'string'] },
}

/** A run's body: nothing, `{ task_arguments }` (JSON or form, plus `customer`/`task` where the path has none), or the arguments as a bare JSON array. */
export const runBodySchema = {
  anyOf: [{ type: 'null' }, runArgumentsSchema, { type: 'object', properties: runFields }],
  examples: [{ task_arguments: ['world'] }],
}

/** What the document shows as a task to create. */
export const taskBodyExample = {
  name: 'say hello',
  host_id: '0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e',
  script_id: '0197d2e3-22bb-7c3d-9e4f-5a6b7c8d9e0f',
  task_arguments: [{ order: 0, type: 'input', label: 'who' }],
  timeout: 60,
}

/** What the document shows as a script to create. */
export const scriptBodyExample = { filename: 'hello.sh', content: '#!/bin/sh\necho "hello $1"\n' }

/** Query of the run routes: where a run may also take its `task`, `customer` and wait options. */
export const runQuerySchema = {
  type: 'object',
  properties: {
    access_token: { type: 'string', maxLength: 200 },
    customer: { type: 'string', maxLength: 100 },
    task: { type: 'string', maxLength: 100 },
    wait_result: {
      type: 'string',
      maxLength: 10,
      description: 'true: answer once the job ended (at most wait_timeout, 60 s)',
    },
    wait_timeout: { type: 'integer', minimum: 1, maximum: 60, description: 'seconds, with wait_result' },
  },
} as const

export const scriptBodySchema = {
  type: 'object',
  properties: {
    filename: limitedString('scriptFilename', { minLength: 1 }),
    description: limitedString('scriptDescription'),
    content: limitedString('scriptContent', { description: 'The script as text' }),
    data: {
      type: 'string',
      description: `The script as base64: what it decodes to at most ${Limits.scriptContent.value} bytes (${Limits.scriptContent.name})`,
    },
    access_token: { type: 'string', maxLength: 200 },
  },
}

const nullableString = { type: ['string', 'null'] } as const
const dateTime = { type: 'string', format: 'date-time' } as const
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const

/*
 * The objects answers hold. Each is a component of the OpenAPI document named by its `$id`, and
 * routes answer `{ $ref: '<Name>#' }`. `required` lists what every answer carries: the
 * answer-validation test holds the gateway to it.
 */

export const taskSchema = {
  $id: 'Task',
  type: 'object',
  additionalProperties: true,
  // Every field a body may carry is in every answer, between the ids and the bookkeeping.
  required: ['id', 'customer', ...TASK_BODY_FIELDS, 'version', 'creation_date', 'last_update'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    name: { type: 'string' },
    host_id: { type: 'string', description: 'the bot that runs it' },
    script_id: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    task_arguments: { type: 'array', items: { type: 'object', additionalProperties: true } },
    run_as: { type: 'string' },
    description: { type: 'string' },
    acls: { type: 'array', items: { type: 'string' } },
    triggers: { type: 'array', items: { type: 'object', additionalProperties: true } },
    grace_time: { type: 'integer', description: 'seconds' },
    timeout: { type: 'integer', description: 'seconds' },
    multitasking: { type: 'boolean' },
    env: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Values are shown to admins only; others see "****"',
    },
    secret_env: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'The names of the write-only variables, each with "****"',
    },
    version: { type: 'integer', description: 'also its ETag; If-Match on a write' },
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
  },
  examples: [
    {
      id: '0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f',
      customer: 'demo',
      name: 'say hello',
      host_id: '0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e',
      script_id: '0197d2e3-22bb-7c3d-9e4f-5a6b7c8d9e0f',
      tags: [],
      task_arguments: [{ order: 0, type: 'input', label: 'who', value: null, required: false }],
      run_as: '',
      description: '',
      acls: [],
      triggers: [],
      grace_time: 0,
      timeout: 600,
      multitasking: true,
      env: {},
      secret_env: {},
      version: 1,
      creation_date: '2026-05-02T10:00:00.000Z',
      last_update: '2026-05-02T10:00:00.000Z',
    },
  ],
} as const

export const scriptSchema = {
  $id: 'Script',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'customer', 'filename', 'description', 'version', 'creation_date', 'last_update'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    filename: { type: 'string' },
    description: { type: 'string' },
    content: { type: 'string', description: 'the script as text, when it is UTF-8 (not in lists)' },
    data: { type: 'string', description: 'the script as base64, when it is not UTF-8 (not in lists)' },
    version: { type: 'integer' },
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
  },
} as const

export const jobSchema = {
  $id: 'Job',
  type: 'object',
  additionalProperties: true,
  required: [
    'id',
    'task_id',
    'name',
    'customer',
    'host_id',
    'lifecycle',
    'state',
    'task_arguments_values',
    'output',
    'result',
    'origin',
    'creation_date',
    'last_update',
  ],
  properties: {
    id: { type: 'string' },
    task_id: { type: 'string' },
    name: { type: 'string' },
    customer: { type: 'string' },
    host_id: { type: 'string' },
    waiting_reason: {
      type: 'object',
      description:
        'GET /:customer/job/:id only, for a job that waits: why (on_hold: a triggered run in its grace time, until `until`; bot_offline: its bot is offline; task_busy: the task runs one job at a time and another runs; queued). The one source of this reason: the console shows `message` as it is.',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: ['on_hold', 'bot_offline', 'task_busy', 'queued'] },
        message: { type: 'string', description: 'the reason in words, for people' },
        until: {
          type: 'string',
          format: 'date-time',
          description: 'on_hold only: when the grace time ends and the run is released',
        },
      },
    },
    lifecycle: {
      type: 'string',
      enum: [...JobLifecycles],
      description:
        'finished, terminated and canceled are ends; waiting: an approval or input step of a workflow run, which no bot runs, waits for people',
    },
    state: {
      type: 'string',
      description: 'in_progress, then success, failure, timeout, canceled or error',
    },
    task_arguments_values: { type: 'array', items: { type: 'string' } },
    workflow_run_id: {
      type: 'string',
      description: 'the workflow run whose node the job is (origin workflow); absent for a job of no run',
    },
    workflow_node: { type: 'string', description: 'that node’s key; absent for a job of no run' },
    output: {
      type: 'array',
      items: { type: 'string' },
      description:
        "The output's lines (or what the script's last-line verdict states); U+FFFD stands for what text cannot hold",
    },
    result: {
      type: 'object',
      additionalProperties: true,
      description:
        '`{ code, signal, killed, log, lastline }` (`log`: the last 64 KiB of the output), with `reason` when there is one, `truncated_bytes` when the bot dropped output past its limit, and `abridged: true` when the log, the output lines or the last line were cut (GET .../log has all the output); `{}` until the job ends',
      properties: {
        code: { type: ['integer', 'null'], description: 'the exit code; null when a signal ended it' },
        signal: nullableString,
        killed: { type: 'boolean' },
        log: { type: 'string' },
        lastline: { type: 'string' },
        reason: { type: 'string' },
        truncated_bytes: { type: 'integer' },
        abridged: { type: 'boolean' },
      },
    },
    origin: { type: 'string', description: 'api, secret, trigger, webhook, schedule, ...' },
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
    schedule_id: {
      type: 'string',
      description: 'The schedule whose fire started the job; absent when no schedule did (origin schedule)',
    },
    scheduled_for: {
      type: 'string',
      format: 'date-time',
      description: 'The time that fire was scheduled for; absent when no schedule started the job',
    },
  },
  examples: [
    {
      id: '0197d2e5-0a1b-7c2d-8e3f-4a5b6c7d8e9f',
      task_id: '0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f',
      name: 'say hello',
      customer: 'demo',
      host_id: '0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e',
      lifecycle: 'finished',
      state: 'success',
      task_arguments_values: ['world'],
      output: ['hello world'],
      result: { code: 0, signal: null, killed: false, log: 'hello world\n', lastline: 'hello world' },
      origin: 'api',
      creation_date: '2026-05-02T10:00:01.000Z',
      last_update: '2026-05-02T10:00:01.200Z',
    },
  ],
} as const

export const taskCredentialsSchema = {
  $id: 'TaskCredentials',
  type: 'object',
  required: ['id', 'secret'],
  properties: {
    id: { type: 'string' },
    secret: { type: 'string', description: '64 hex characters' },
  },
} as const

export const botSchema = {
  $id: 'Bot',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'name', 'customer', 'online', 'last_seen', 'running_jobs', 'creation_date'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    customer: { type: 'string' },
    online: { type: 'boolean' },
    last_seen: nullableDateTime,
    running_jobs: { type: 'integer', description: 'how many jobs it runs now' },
    running: {
      type: 'array',
      description: 'the jobs assigned to it and not ended that the caller sees (at most 100 per bot)',
      items: {
        type: 'object',
        required: ['id', 'task_id', 'name', 'lifecycle', 'state'],
        properties: {
          id: { type: 'string' },
          task_id: { type: 'string' },
          name: { type: 'string' },
          lifecycle: { type: 'string' },
          state: { type: 'string' },
        },
      },
    },
    creation_date: nullableDateTime,
  },
} as const

export const botCredentialsSchema = {
  $id: 'BotCredentials',
  type: 'object',
  additionalProperties: true,
  description: "The agent's credentials file (`npm run bot -- --credentials <file>`): shown once",
  required: ['id', 'name', 'customer', 'secret', 'nats_url', 'dispatch_subject', 'report_subject'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    customer: { type: 'string' },
    secret: { type: 'string' },
    nats_url: { type: 'string' },
    nats_user: { type: 'string' },
    nats_password: { type: 'string' },
    nats_jwt: { type: 'string' },
    nats_seed: { type: 'string' },
    nats_inbox_prefix: { type: 'string' },
    dispatch_subject: { type: 'string' },
    report_subject: { type: 'string' },
    dispatch_stream: { type: 'string' },
    dispatch_consumer: { type: 'string' },
  },
} as const

const role = { type: 'string', enum: ['viewer', 'user', 'admin'] } as const

export const tokenSchema = {
  $id: 'Token',
  type: 'object',
  required: ['id', 'name', 'role', 'tags', 'creation_date'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role,
    tags: { type: 'array', items: { type: 'string' } },
    creation_date: dateTime,
  },
} as const

export const issuedTokenSchema = {
  $id: 'IssuedToken',
  type: 'object',
  required: ['id', 'name', 'role', 'token'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role,
    token: { type: 'string', description: 'the secret: shown only in this answer' },
  },
} as const

export const organizationSchema = {
  $id: 'CreatedOrganization',
  type: 'object',
  required: ['id', 'name', 'admin_token'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    admin_token: { type: 'string', description: 'its first admin token: shown only in this answer' },
  },
} as const

export const subscriptionSchema = {
  $id: 'Subscription',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'customer', 'url', 'events', 'description', 'token', 'secret', 'enabled', 'version'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' }, description: 'empty: every event' },
    description: { type: 'string' },
    token: { type: 'string', description: 'sent as ?token= with every delivery' },
    secret: { type: 'string', description: 'signs every delivery (Standard Webhooks); starts with whsec_' },
    enabled: { type: 'boolean' },
    disabled_reason: nullableString,
    previous_secret_expires_at: nullableDateTime,
    version: { type: 'integer' },
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
  },
} as const

export const deliverySchema = {
  $id: 'Delivery',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'subscription_id', 'event_id', 'event_name', 'status', 'attempt_count', 'attempts'],
  properties: {
    id: { type: 'string' },
    subscription_id: { type: 'string' },
    event_id: { type: 'string' },
    event_name: { type: 'string' },
    status: { type: 'string', description: 'pending, succeeded or failed' },
    attempt_count: { type: 'integer' },
    next_attempt_at: nullableDateTime,
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          number: { type: 'integer' },
          started_at: nullableDateTime,
          duration_ms: { type: 'integer' },
          status_code: { type: ['integer', 'null'] },
          outcome: { type: 'string' },
          response_excerpt: { type: 'string' },
          error: nullableString,
        },
      },
    },
  },
} as const

export const webhookSchema = {
  $id: 'Webhook',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'customer', 'name', 'secret', 'trigger_path', 'fired_count', 'version'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    name: { type: 'string' },
    secret: { type: 'string' },
    trigger_path: { type: 'string', description: 'POST here (no token) to fire it' },
    fired_count: { type: 'integer' },
    last_fired_at: nullableDateTime,
    version: { type: 'integer' },
    creation_date: nullableDateTime,
    last_update: nullableDateTime,
  },
} as const

export const workflowSchema = {
  $id: 'Workflow',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'customer', ...WORKFLOW_BODY_FIELDS, 'version', 'creation_date', 'last_update'],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['key', 'arguments', 'timeout', 'retry', 'join'],
        properties: {
          key: { type: 'string' },
          task: { type: 'string' },
          approval: { type: 'object', additionalProperties: true },
          input: { type: 'object', additionalProperties: true },
          arguments: { type: 'array', items: {} },
          timeout: { type: 'integer' },
          retry: { type: 'object', additionalProperties: true },
          join: { type: 'string' },
        },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'on'],
        properties: { from: { type: 'string' }, to: { type: 'string' }, on: { type: 'string' } },
      },
    },
    start: { type: 'string' },
    acls: { type: 'array', items: { type: 'string' } },
    env: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Values are shown to admins only; others see "****"',
    },
    triggers: { type: 'array', items: { type: 'object', additionalProperties: true } },
    grace_time: { type: 'integer', description: 'seconds' },
    multitasking: { type: 'boolean' },
    version: {
      type: 'integer',
      description: 'the version of the definition: 1, then one more per save that changed it; also its ETag',
    },
    creation_date: nullableDateTime,
    last_update: { ...nullableDateTime, description: 'when this version was saved' },
  },
} as const

/** A reference to a component schema of the document, as a response schema. */
const ref = (id: string) => ({ $ref: `${id}#` }) as const

export const taskResponseSchema = ref('Task')
export const scriptResponseSchema = ref('Script')
/** A workflow run: shown like a job (lifecycle, state in the job vocabulary), plus its nodes. */
export const workflowRunSchema = {
  $id: 'WorkflowRun',
  type: 'object',
  additionalProperties: true,
  required: [
    'id',
    'customer',
    'workflow_id',
    'version',
    'lifecycle',
    'state',
    'task_arguments_values',
    'origin',
    'nodes',
    'creation_date',
    'last_update',
    'ended_at',
  ],
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    workflow_id: { type: 'string' },
    version: {
      type: 'integer',
      description: 'the version of the workflow the run follows to its end, retries included',
    },
    lifecycle: {
      type: 'string',
      enum: ['ready', 'assigned', 'finished', 'canceled'],
      description:
        'ready while the run waits for its turn (a workflow with multitasking false runs one run at a time) or for the grace time of the trigger that started it, assigned while it goes on; finished and canceled are ends',
    },
    state: { type: 'string', enum: ['in_progress', 'success', 'failure', 'canceled'] },
    waiting_reason: {
      type: 'object',
      description:
        'only while the run waits: why (workflow_busy: another run of the workflow is live; grace_time: a trigger started it with the grace time of its workflow, until hold_until)',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: ['workflow_busy', 'grace_time'] },
        message: { type: 'string', description: 'the reason in words, naming the run it waits for' },
      },
    },
    hold_until: {
      type: 'string',
      format: 'date-time',
      description: 'only while a triggered run waits for its grace time: when it starts',
    },
    task_arguments_values: {
      type: 'array',
      items: { type: 'string' },
      description: 'the run’s own arguments (`$run` in argument mappings)',
    },
    origin: { type: 'string' },
    nodes: {
      type: 'array',
      description: 'every node of the pinned version, in its order',
      items: {
        type: 'object',
        required: ['key', 'state', 'job_id', 'job_ids'],
        properties: {
          key: { type: 'string' },
          state: {
            type: 'string',
            enum: ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled', 'waiting', 'expired'],
          },
          job_id: { type: ['string', 'null'], description: 'the node’s latest job (GET /:customer/job/:id)' },
          job_ids: {
            type: 'array',
            items: { type: 'string' },
            description: 'every job of the node, oldest first',
          },
          reason: { type: 'string', description: 'why the node failed, or waits for a retry' },
        },
      },
    },
    reason: { type: 'string', description: 'why the run failed (the node that failed) or was canceled' },
    creation_date: { type: ['string', 'null'], format: 'date-time' },
    last_update: { type: ['string', 'null'], format: 'date-time' },
    ended_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const

export const jobResponseSchema = ref('Job')
export const credentialsResponseSchema = ref('TaskCredentials')
export const botResponseSchema = ref('Bot')
export const botCredentialsResponseSchema = ref('BotCredentials')
export const tokenResponseSchema = ref('Token')
export const issuedTokenResponseSchema = ref('IssuedToken')
export const organizationResponseSchema = ref('CreatedOrganization')
export const subscriptionResponseSchema = ref('Subscription')
export const deliveryResponseSchema = ref('Delivery')
export const webhookResponseSchema = ref('Webhook')
export const workflowResponseSchema = ref('Workflow')
export const workflowRunResponseSchema = ref('WorkflowRun')

/** The component schemas of the document, registered before the routes that refer to them. */
export const componentSchemas: readonly { $id: string }[] = [
  taskSchema,
  scriptSchema,
  jobSchema,
  taskCredentialsSchema,
  botSchema,
  botCredentialsSchema,
  tokenSchema,
  issuedTokenSchema,
  organizationSchema,
  subscriptionSchema,
  deliverySchema,
  webhookSchema,
  workflowSchema,
  workflowRunSchema,
]

/** The error body of every 4xx and 5xx answer (contract §2), one component of the document. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'the HTTP status, repeated' },
    code: {
      type: 'string',
      description: 'stable and machine-readable: NOT_FOUND, VALIDATION_FAILED, LIMIT_EXCEEDED, CONFLICT, ...',
    },
    message: { type: 'string', description: 'what is wrong, for a person' },
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'more about it, such as the `field` at fault or the `limit` passed',
    },
  },
  examples: [{ statusCode: 404, code: 'NOT_FOUND', message: 'task 0197d2e4-… not found' }],
} as const

/** A reference to {@link errorSchema}, as a response schema, with what the status means there. */
export const errorAnswer = (description: string) => ({ $ref: 'Error#', description }) as const

/** The error answers any operation may give; a route states its own where it says more. */
export const errorResponses = {
  400: errorAnswer('malformed input: the body or a parameter is not what the operation takes'),
  401: errorAnswer('no credential, or one that is unknown or revoked'),
  403: errorAnswer('a known caller without the role or the right'),
  404: errorAnswer('no such object, or one the caller may not see'),
  413: errorAnswer('the body is larger than a limit (docs/limits.md)'),
  422: errorAnswer('invalid input, or a field past its limit (docs/limits.md)'),
  429: errorAnswer('too many requests: wait as Retry-After says, then try again'),
  default: errorAnswer('any other error: 409 a conflict, 5xx the platform could not answer now'),
} as const

/** The answer past a quota (docs/limits.md), with a `Retry-After` header. */
export const quotaResponse = (what: string) => ({
  ...errorAnswer(`${what}: try again after Retry-After seconds (docs/limits.md)`),
  headers: { 'retry-after': { type: 'integer', description: 'seconds to wait before trying again' } },
})
