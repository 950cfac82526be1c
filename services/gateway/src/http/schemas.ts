import { Limits } from '@taskforge/core'
import { limitedList, limitedMap, limitedString } from './limit-schema.js'

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
    triggers: limitedList('taskTriggerCount', {
      type: 'object',
      properties: {
        task_id: limitedString('objectId'),
        event: { type: 'string', enum: ['success', 'failure'] },
        webhook_id: limitedString('objectId'),
      },
    }),
    grace_time: { type: 'integer', minimum: 0, maximum: 604_800 },
    timeout: { type: 'integer', minimum: 1, maximum: 86_400 },
    multitasking: { type: 'boolean' },
    env: envSchema,
    secret_env: secretEnvSchema,
  },
}

export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
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
}

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

export const taskResponseSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    name: { type: 'string' },
    host_id: { type: 'string' },
    script_id: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    task_arguments: { type: 'array', items: { type: 'object', additionalProperties: true } },
    run_as: { type: 'string' },
    description: { type: 'string' },
    acls: { type: 'array', items: { type: 'string' } },
    triggers: { type: 'array', items: { type: 'object', additionalProperties: true } },
    grace_time: { type: 'integer' },
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
    version: { type: 'integer' },
    creation_date: nullableString,
    last_update: nullableString,
  },
} as const

export const scriptResponseSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    filename: { type: 'string' },
    description: { type: 'string' },
    content: { type: 'string' },
    version: { type: 'integer' },
    creation_date: nullableString,
    last_update: nullableString,
  },
} as const

export const jobResponseSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    task_id: { type: 'string' },
    name: { type: 'string' },
    customer: { type: 'string' },
    host_id: { type: 'string' },
    lifecycle: {
      type: 'string',
      enum: ['onhold', 'ready', 'assigned', 'finished', 'terminated', 'canceled'],
    },
    state: { type: 'string' },
    task_arguments_values: { type: 'array', items: { type: 'string' } },
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
        '`{ code, signal, killed, log, lastline }` (`log`: the last 64 KiB of the output), with `reason` when there is one, `truncated_bytes` when the bot dropped output past its limit, and `abridged: true` when the log, the output lines or the last line were cut (GET .../log has all the output)',
    },
    origin: { type: 'string' },
    creation_date: nullableString,
    last_update: nullableString,
  },
} as const

export const credentialsResponseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    secret: { type: 'string', description: '64 hex characters' },
  },
} as const

/** The 4xx answers every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  413: { ...errorSchema, description: 'the body is larger than a limit (docs/limits.md)' },
  422: { ...errorSchema, description: 'invalid input, or a field past its limit (docs/limits.md)' },
} as const

/** The answer past a quota (docs/limits.md), with a `Retry-After` header. */
export const quotaResponse = (what: string) => ({
  ...errorSchema,
  description: `${what}: try again after Retry-After seconds (docs/limits.md)`,
  headers: { 'retry-after': { type: 'integer', description: 'seconds to wait before trying again' } },
})
