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
