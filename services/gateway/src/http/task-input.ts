import { byteSize, checkTaskArguments, checkTaskDefinition, validationFailed } from '@taskforge/core'
import type { SecretEnvChange } from '@taskforge/proto/catalog/v1/catalog_service'
import type { TaskDefinition } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'

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
  /** Write-only variables: a value sets one, null removes it, the mask keeps it; names not given keep theirs. */
  secret_env?: Record<string, string | null>
}

/** What every value shown of a variable the caller may not read looks like (and, sent back, means "keep"). */
export const MASK = '****'

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
  'secret_env',
] as const satisfies readonly (keyof TaskBody)[]

const text = (value: Scalar) => (value === null || value === undefined ? '' : String(value))

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function checkEnvName(name: string, field: 'env' | 'secret_env'): void {
  if (!ENV_NAME.test(name)) {
    throw validationFailed(`${field} name ${JSON.stringify(name)} is not a valid variable name`, { field })
  }
}

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
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => {
      checkEnvName(name, 'env')
      return [name, typeof v === 'string' ? v : JSON.stringify(v)]
    }),
  )
}

/**
 * The changes a body makes to the task's secret variables: a value sets one, `null` removes it, and
 * the mask (as every answer shows the value) keeps it, so that a task read and written back keeps its
 * secrets. Names not given keep theirs too.
 */
export function secretEnvOf(body: Pick<TaskBody, 'secret_env'>): Record<string, SecretEnvChange> {
  const given = body.secret_env
  if (given === undefined) return {}
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw validationFailed('secret_env must be an object of names to values (null removes one)', {
      field: 'secret_env',
    })
  }
  return Object.fromEntries(
    Object.entries(given).map(([name, value]): [string, SecretEnvChange] => {
      checkEnvName(name, 'secret_env')
      if (value === null) return [name, { change: { $case: 'remove', value: true } }]
      if (typeof value !== 'string') {
        throw validationFailed(`secret_env ${name} must be a string, or null to remove it`, {
          field: 'secret_env',
        })
      }
      if (value === MASK) return [name, { change: { $case: 'keep', value: true } }]
      return [name, { change: { $case: 'value', value } }]
    }),
  )
}

/** Clear sizes of the secret values a body sets, for the env limits (kept values are the catalog's to count). */
function secretSizes(changes: Readonly<Record<string, SecretEnvChange>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(changes).flatMap(([name, { change }]) =>
      change?.$case === 'value' ? [[name, byteSize(change.value)]] : [],
    ),
  )
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
    timeout: body.timeout ?? TaskDefaults.timeoutSeconds,
    multitasking: body.multitasking ?? TaskDefaults.multitasking,
    env: envOf(body.env),
    secretEnv: {},
  }
  checkTaskDefinition(definition, secretSizes(secretEnvOf(body)))
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
