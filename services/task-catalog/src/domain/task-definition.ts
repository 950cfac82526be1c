import { checkTaskDefinition, validationFailed } from '@taskforge/core'
import type { TaskArgument, TaskDefinition, TaskTrigger } from '@taskforge/proto/catalog/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { clearSize } from '../secrets/secret-sealer.js'

export const MAX_TIMEOUT_SECONDS = 86_400

export const TASK_ARGUMENT_TYPES = [
  'fixed',
  'input',
  'select',
  'json',
  'date',
  'file',
  'email',
  'remote-options',
] as const
export type TaskArgumentType = (typeof TASK_ARGUMENT_TYPES)[number]

export const TRIGGER_EVENTS = ['success', 'failure'] as const

/**
 * The definition fields by the JSON name the API shows, in API order. `changed_fields` of
 * TaskUpdated and webhook `changes` use these names.
 */
export const TASK_FIELDS = {
  name: 'name',
  host_id: 'hostId',
  script_id: 'scriptId',
  tags: 'tags',
  task_arguments: 'taskArguments',
  run_as: 'runAs',
  description: 'description',
  acls: 'acls',
  triggers: 'triggers',
  grace_time: 'graceTime',
  timeout: 'timeout',
  multitasking: 'multitasking',
  env: 'env',
  secret_env: 'secretEnv',
} as const satisfies Record<string, keyof TaskDefinition>
export type TaskFieldName = keyof typeof TASK_FIELDS

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value)

/** Postgres text and jsonb cannot hold NUL: a definition carrying one could never be projected. */
export function withoutNul(value: string, field: string): string {
  if (value.includes('\0')) throw validationFailed(`${field} may not contain NUL characters`, { field })
  return value
}

export function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw validationFailed(`${field} must be a list of strings`, { field })
  return value.map((item, index) => {
    if (typeof item !== 'string')
      throw validationFailed(`${field}[${index}] must be a string`, { field, index })
    return withoutNul(item, field)
  })
}

export function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw validationFailed(`${field} must be a string`, { field })
  return withoutNul(value, field)
}

function validateName(value: unknown): string {
  const name = text(value, 'name').trim()
  if (name === '') throw validationFailed('name is required', { field: 'name' })
  return name
}

function validateTimeout(value: unknown): number {
  if (value === undefined || value === null || value === 0) return TaskDefaults.timeoutSeconds
  if (!isInteger(value) || value < 1 || value > MAX_TIMEOUT_SECONDS) {
    throw validationFailed(`timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`, {
      field: 'timeout',
    })
  }
  return value
}

export function validateGraceTime(value: unknown): number {
  if (value === undefined || value === null) return 0
  if (!isInteger(value) || value < 0) {
    throw validationFailed('grace_time must be a whole number of seconds, 0 or more', { field: 'grace_time' })
  }
  return value
}

function isArgumentType(value: unknown): value is TaskArgumentType {
  return typeof value === 'string' && (TASK_ARGUMENT_TYPES as readonly string[]).includes(value)
}

/** Argument definitions: a task's `task_arguments`, or the form of a workflow's input step (`field`). */
export function validateArguments(value: unknown, field = 'task_arguments'): TaskArgument[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw validationFailed(`${field} must be a list`, { field })
  const seen = new Set<number>()
  const args = value.map((raw: unknown, index): TaskArgument => {
    if (typeof raw !== 'object' || raw === null) {
      throw validationFailed(`${field}[${index}] must be an object`, { field, index })
    }
    const arg = raw as Partial<Record<keyof TaskArgument, unknown>>
    if (!isInteger(arg.order) || arg.order < 0) {
      throw validationFailed(`${field}[${index}].order must be a whole number, 0 or more`, {
        field,
        index,
      })
    }
    if (seen.has(arg.order)) {
      throw validationFailed(`${field} order ${arg.order} is used more than once`, { field, index })
    }
    seen.add(arg.order)
    if (!isArgumentType(arg.type)) {
      throw validationFailed(
        `${field}[${index}].type must be one of ${TASK_ARGUMENT_TYPES.join(', ')}, got ${JSON.stringify(arg.type)}`,
        { field, index },
      )
    }
    const argValue = text(arg.value, field)
    if (arg.type === 'fixed' && argValue === '') {
      throw validationFailed(`${field}[${index}] is fixed and needs a value`, { field, index })
    }
    return {
      order: arg.order,
      type: arg.type,
      label: text(arg.label, field),
      value: argValue,
      required: arg.required === true,
      options: stringList(arg.options, field),
    }
  })
  // Runs supply values in argument order, so the stored list is kept in that order.
  return args.sort((a, b) => a.order - b.order)
}

export function validateTriggers(value: unknown): TaskTrigger[] {
  const field = 'triggers'
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw validationFailed('triggers must be a list', { field })
  return value.map((raw: unknown, index): TaskTrigger => {
    const trigger = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<
      Record<keyof TaskTrigger, unknown>
    >
    const taskId = text(trigger.taskId, field)
    const webhookId = text(trigger.webhookId, field)
    const event = text(trigger.event, field)
    if ((taskId === '') === (webhookId === '')) {
      throw validationFailed(`triggers[${index}] needs either a task_id or a webhook_id`, { field, index })
    }
    if (taskId !== '' && !(TRIGGER_EVENTS as readonly string[]).includes(event)) {
      throw validationFailed(`triggers[${index}].event must be success or failure`, { field, index })
    }
    return { taskId, event: taskId === '' ? '' : event, webhookId }
  })
}

export function validateEnv(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationFailed('env must be an object of names to values', { field: 'env' })
  }
  const env: Record<string, string> = {}
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw validationFailed(`env ${name} must be a string`, { field: 'env' })
    env[withoutNul(name, 'env')] = withoutNul(v, 'env')
  }
  return env
}

/** Secret variables hold sealed values; a name may not also be a plain variable's. */
function validateSecretEnv(value: unknown, env: Record<string, string>): Record<string, Buffer> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationFailed('secret_env must be an object of names to values', { field: 'secret_env' })
  }
  const entries = Object.entries(value).map(([name, sealed]): [string, Buffer] => {
    if (!(sealed instanceof Uint8Array)) {
      throw validationFailed(`secret_env ${name} must be a sealed value`, { field: 'secret_env' })
    }
    if (Object.hasOwn(env, name)) {
      throw validationFailed(
        `${name} is both in env and in secret_env: remove it from one (a secret is removed with null)`,
        { field: 'secret_env' },
      )
    }
    return [withoutNul(name, 'secret_env'), Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed)]
  })
  return Object.fromEntries(entries)
}

function requiredId(value: unknown, field: 'host_id' | 'script_id'): string {
  const id = text(value, field).trim()
  if (id === '') throw validationFailed(`${field} is required`, { field })
  return id
}

/**
 * Checks a task definition and answers it normalised (trimmed name, default timeout, arguments in
 * order). Throws VALIDATION_FAILED naming the offending field by its API name in `details.field`, or
 * LIMIT_EXCEEDED when a field or the whole is past its limit (task events carry the definition).
 * Values are narrowed from `unknown` because callers outside gRPC may hand over decoded JSON.
 */
export function validateTaskDefinition(definition: Partial<TaskDefinition>): TaskDefinition {
  const valid: TaskDefinition = {
    name: validateName(definition.name),
    hostId: requiredId(definition.hostId, 'host_id'),
    scriptId: requiredId(definition.scriptId, 'script_id'),
    tags: stringList(definition.tags, 'tags'),
    taskArguments: validateArguments(definition.taskArguments),
    runAs: text(definition.runAs, 'run_as'),
    description: text(definition.description, 'description'),
    acls: stringList(definition.acls, 'acls'),
    triggers: validateTriggers(definition.triggers),
    graceTime: validateGraceTime(definition.graceTime),
    timeout: validateTimeout(definition.timeout),
    multitasking:
      typeof definition.multitasking === 'boolean' ? definition.multitasking : TaskDefaults.multitasking,
    env: validateEnv(definition.env),
    secretEnv: {},
  }
  valid.secretEnv = validateSecretEnv(definition.secretEnv, valid.env)
  checkTaskDefinition(
    valid,
    Object.fromEntries(Object.entries(valid.secretEnv).map(([name, sealed]) => [name, clearSize(sealed)])),
  )
  return valid
}

/** Key order of objects must not make equal values differ; bytes compare by their content. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    // JSON.stringify hands a Buffer over already turned into { type, data }: take the original.
    const original = key === '' ? v : this[key]
    if (original instanceof Uint8Array) return Buffer.from(original).toString('base64')
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  })
}

/** The API names of the fields whose values differ between two normalised definitions. */
export function changedFields(before: TaskDefinition, after: TaskDefinition): TaskFieldName[] {
  return (Object.keys(TASK_FIELDS) as TaskFieldName[]).filter((name) => {
    const key = TASK_FIELDS[name]
    return canonical(before[key]) !== canonical(after[key])
  })
}
