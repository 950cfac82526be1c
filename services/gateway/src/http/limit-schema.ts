import { type AppError, byteSize, type LimitKey, Limits, limitExceeded } from '@taskforge/core'
import type { FastifyServerOptions } from 'fastify'

/**
 * The schema keyword naming the limit a field is held to (a key of core's `Limits`). It checks the
 * field (text by its UTF-8 bytes, a list by its items, an object by its entries), and the OpenAPI
 * document shows it beside the `maxLength`, `maxItems` or `maxProperties` it comes with.
 */
export const LIMIT_KEYWORD = 'x-limit'

type Schema = Record<string, unknown>

/** The size of a value as its limit counts it. */
function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string') return byteSize(value)
  if (Array.isArray(value)) return value.length
  if (typeof value === 'object' && value !== null) return Object.keys(value).length
  return undefined
}

function isLimitKey(key: unknown): key is LimitKey {
  return typeof key === 'string' && Object.hasOwn(Limits, key)
}

/** A plugin of the schema validator fastify holds (ajv), as its options take one. */
type ValidatorPlugin = Extract<
  NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number],
  (...args: never[]) => unknown
>

/** Teaches the gateway's schema validator the {@link LIMIT_KEYWORD} keyword. */
export const limitKeywords: ValidatorPlugin = (ajv) =>
  ajv.addKeyword({
    keyword: LIMIT_KEYWORD,
    schemaType: 'string',
    errors: false,
    validate: (key: unknown, data: unknown) => {
      if (!isLimitKey(key)) throw new Error(`${String(key)} is not a limit`)
      const size = sizeOf(data)
      return size === undefined || size <= Limits[key].value
    },
  })

const withLine = (description: string | undefined, line: string) =>
  description === undefined ? line : `${description}. ${line}`

/**
 * A text field held to a limit in bytes: `maxLength` says as much in characters (a character is at
 * least one byte), the keyword checks the bytes.
 *
 * @example
 * limitedString('taskName', { minLength: 1 })
 * // { type: 'string', minLength: 1, maxLength: 200, 'x-limit': 'taskName', description: 'At most 200 bytes of UTF-8 (task name size)' }
 */
export function limitedString(key: LimitKey, schema: Schema & { description?: string } = {}): Schema {
  const limit = Limits[key]
  return {
    type: 'string',
    ...schema,
    maxLength: limit.value,
    [LIMIT_KEYWORD]: key,
    description: withLine(schema.description, `At most ${limit.value} bytes of UTF-8 (${limit.name})`),
  }
}

/** A list held to a count limit; its items carry their own. */
export function limitedList(
  key: LimitKey,
  items: Schema,
  schema: Schema & { description?: string } = {},
): Schema {
  const limit = Limits[key]
  return {
    type: 'array',
    ...schema,
    items,
    maxItems: limit.value,
    [LIMIT_KEYWORD]: key,
    description: withLine(schema.description, `At most ${limit.value} items (${limit.name})`),
  }
}

/** An object held to a count of entries. */
export function limitedMap(key: LimitKey, schema: Schema & { description?: string } = {}): Schema {
  const limit = Limits[key]
  return {
    type: 'object',
    ...schema,
    maxProperties: limit.value,
    [LIMIT_KEYWORD]: key,
    description: withLine(schema.description, `At most ${limit.value} entries (${limit.name})`),
  }
}

/** A schema validation error as ajv reports it in verbose mode. */
export interface ValidationItem {
  keyword?: string
  instancePath?: string
  params?: Record<string, unknown>
  message?: string
  data?: unknown
  parentSchema?: Schema
}

const SIZE_KEYWORDS = new Set([LIMIT_KEYWORD, 'maxLength', 'maxItems', 'maxProperties'])

/** A validation error's place as the API names fields: `/task_arguments/2` → `task_arguments[2]`. */
export function fieldPath(instancePath: string | undefined): string {
  return (instancePath ?? '')
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replace(/\//g, '.')
}

/**
 * The limit error of a failed validation when a field went past its limit (the first such), so
 * that the answer names the limit whichever keyword noticed: 422 (or 413) with the core message.
 */
export function limitErrorOf(
  items: readonly ValidationItem[],
  context: string | undefined,
): AppError | undefined {
  for (const item of items) {
    const key = item.parentSchema?.[LIMIT_KEYWORD]
    if (item.keyword === undefined || !SIZE_KEYWORDS.has(item.keyword) || !isLimitKey(key)) continue
    const field = fieldPath(item.instancePath) || context || 'body'
    return limitExceeded(Limits[key], field, sizeOf(item.data))
  }
  return undefined
}
