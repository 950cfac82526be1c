import { checkTaskArguments, checkTaskDefinition, validationFailed } from '@taskforge/core'
import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'

type Scalar = string | number | boolean | null | undefined
export interface TaskBody {
  name?: string
  host_id?: string
  script_id?: string
  tags?: string[]
  task_arguments?: {
    order?: number
    type: string
    label?: string
    value?: Scalar
    required?: boolean
    options?: Scalar[]
  }[]
  run_as?: string
  description?: string
  acls?: string[]
  triggers?: { task_id?: string; event?: string; webhook_id?: string }[]
  grace_time?: number
  timeout?: number
  multitasking?: boolean
  env?: Record<string, Scalar> | string
}

/** The definition fields a body may carry, by their API names (the catalog's `fields` of a patch). */
export const TASK_BODY_FIELDS = [
  'name',
  'host_id',
  'script_id',
  'tags',
  'task_arguments',
  'run_as',
  'description',
  'acls',
  'triggers',
  'grace_time',
  'timeout',
  'multitasking',
  'env',
] as const satisfies readonly (keyof TaskBody)[]

const text = (value: Scalar) => (value === null || value === undefined ? '' : String(value))

/** `env` may be an object or, as in the original product, a JSON object in a string. */
function envOf(env: TaskBody['env']): Record<string, string> {
  if (env === undefined || env === '') return {}
  let value: unknown = env
  if (typeof env === 'string') {
    try {
      value = JSON.parse(env)
    } catch {
      throw validationFailed('env must be an object of names to values, or that object as JSON', {
        field: 'env',
      })
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationFailed('env must be an object of names to values', { field: 'env' })
  }
  const out: Record<string, string> = {}
  for (const [name, v] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw validationFailed(`env name ${JSON.stringify(name)} is not a valid variable name`, {
        field: 'env',
      })
    }
    out[name] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return out
}

/**
 * The task definition of a body, defaults as the Tasks API documents them, held to the task limits
 * (the schema checks each field as sent; this checks what the fields become, and the whole).
 */
export function definitionFromBody(body: TaskBody): TaskDefinition {
  const definition: TaskDefinition = {
    name: body.name ?? '',
    hostId: body.host_id ?? '',
    scriptId: body.script_id ?? '',
    tags: body.tags ?? [],
    taskArguments: (body.task_arguments ?? []).map((a, index) => ({
      order: a.order ?? index,
      type: a.type,
      label: a.label ?? '',
      value: text(a.value),
      required: a.required ?? false,
      options: (a.options ?? []).map(text),
    })),
    runAs: body.run_as ?? '',
    description: body.description ?? '',
    acls: body.acls ?? [],
    triggers: (body.triggers ?? []).map((t) => ({
      taskId: t.task_id ?? '',
      event: t.event ?? '',
      webhookId: t.webhook_id ?? '',
    })),
    graceTime: body.grace_time ?? 0,
    timeout: body.timeout ?? 600,
    multitasking: body.multitasking ?? true,
    env: envOf(body.env),
  }
  checkTaskDefinition(definition)
  return definition
}

/**
 * Run arguments: the `task_arguments` array, or a body that is itself an array. Values are passed as
 * text (JSON text for what is not a string), and held to the argument limits as that text.
 */
export function runArguments(body: unknown): string[] {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object'
      ? (body as Record<string, unknown>).task_arguments
      : undefined
  if (list === undefined || list === null) return []
  if (!Array.isArray(list))
    throw validationFailed('task_arguments must be an array', { field: 'task_arguments' })
  const values = list.map((value, index) => {
    if (typeof value === 'string') return value
    if (value === null || value === undefined) return ''
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    if (typeof value === 'object') return JSON.stringify(value)
    throw validationFailed(`task_arguments[${index}] must be a value`, { field: `task_arguments[${index}]` })
  })
  checkTaskArguments(values)
  return values
}
