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

export const taskArgumentSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    order: { type: 'integer', minimum: 0, maximum: 1000 },
    type: { type: 'string', minLength: 1, maxLength: 50 },
    label: { type: 'string', maxLength: 200 },
    value: { anyOf: [scalar, { type: 'null' }] },
    required: { type: 'boolean' },
    options: { type: 'array', items: scalar, maxItems: 500 },
  },
} as const

export const taskBodySchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    host_id: { type: 'string', maxLength: 100 },
    script_id: { type: 'string', maxLength: 100 },
    tags: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
    task_arguments: { type: 'array', items: taskArgumentSchema, maxItems: 100 },
    run_as: { type: 'string', maxLength: 1000 },
    description: { type: 'string', maxLength: 10_000 },
    acls: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 200 },
    triggers: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        properties: {
          task_id: { type: 'string', maxLength: 100 },
          event: { type: 'string', enum: ['success', 'failure'] },
          webhook_id: { type: 'string', maxLength: 100 },
        },
      },
    },
    grace_time: { type: 'integer', minimum: 0, maximum: 604_800 },
    timeout: { type: 'integer', minimum: 1, maximum: 86_400 },
    multitasking: { type: 'boolean' },
    env: {
      anyOf: [
        { type: 'object', additionalProperties: scalar, maxProperties: 200 },
        { type: 'string', maxLength: 100_000 },
      ],
    },
  },
} as const

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

const runFields = {
  task_arguments: {
    type: 'array',
    maxItems: 100,
    description: 'One value per non-fixed argument of the task, in order',
  },
  customer: { type: 'string', maxLength: 100 },
  task: { type: 'string', maxLength: 100, description: 'The id of the task to run' },
  access_token: { type: 'string', maxLength: 200 },
  wait_result: { type: ['boolean', 'string'] },
  wait_timeout: { type: ['integer', 'string'] },
} as const

/** A run's body: nothing, `{ task_arguments }` (JSON or form, plus `customer`/`task` where the path has none), or the arguments as a bare JSON array. */
export const runBodySchema = {
  anyOf: [{ type: 'null' }, { type: 'array', maxItems: 100 }, { type: 'object', properties: runFields }],
} as const

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
    filename: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: 10_000 },
    content: { type: 'string', maxLength: 1_048_576, description: 'The script as text' },
    data: { type: 'string', maxLength: 1_398_102, description: 'The script as base64' },
    access_token: { type: 'string', maxLength: 200 },
  },
} as const

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
    env: { type: 'object', additionalProperties: { type: 'string' } },
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
  422: errorSchema,
} as const
