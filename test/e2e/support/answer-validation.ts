import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'

/**
 * Holds the gateway's answers to its own OpenAPI document: an answer to a documented operation must
 * have a documented status, a documented content type, and a JSON body its schema accepts. The e2e
 * client runs every answer through this, so every e2e test checks the document it never reads.
 */

type Schema = Record<string, unknown>
interface MediaType {
  schema?: Schema
}
interface Response {
  content?: Record<string, MediaType>
}
interface Operation {
  operationId?: string
  responses?: Record<string, Response>
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

export interface AnswerSeen {
  method: string
  /** The request path, with or without its query. */
  path: string
  status: number
  contentType: string | null
  text: string
  json: unknown
}

const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete'])
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Refs into the document's components, made absolute so that ajv finds them in the `doc` schema. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')
        ? `doc${inner}`
        : absoluteRefs(inner),
    ]),
  )
}

export interface AnswerValidator {
  /** What is wrong with one answer; empty when it is what the document says. */
  check(answer: AnswerSeen): string[]
  /** The operations answers were checked for, by operationId, with how many. */
  readonly checked: Map<string, number>
}

export function answerValidator(document: OpenApiDocument): AnswerValidator {
  // `nullable` is OpenAPI 3.0's; ajv knows it. Unknown keywords (`example`, `x-limit`) are annotations.
  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true })
  formats.default(ajv)
  ajv.addSchema({ $id: 'doc', components: absoluteRefs(document.components ?? {}) })
  const routes = Object.entries(document.paths).map(([template, operations]) => ({
    template,
    pattern: new RegExp(`^${literal(template).replace(/\\\{[^/]+?\\\}/g, '[^/]+')}$`),
    operations,
  }))
  const compiled = new Map<Schema, ValidateFunction>()
  const validatorOf = (schema: Schema) => {
    let validate = compiled.get(schema)
    if (validate === undefined) {
      validate = ajv.compile(absoluteRefs(schema) as Schema)
      compiled.set(schema, validate)
    }
    return validate
  }
  const checked = new Map<string, number>()

  return {
    checked,
    check(answer) {
      const pathname = answer.path.split('?')[0] ?? ''
      const method = answer.method.toLowerCase()
      if (!METHODS.has(method)) return []
      const route = routes.find((r) => r.pattern.test(pathname) && r.operations[method] !== undefined)
      const operation = route?.operations[method]
      // A path the document does not have is the not-found handler's, and no operation's.
      if (route === undefined || operation === undefined) return []
      const where = `${answer.method} ${route.template} (${operation.operationId ?? 'no operationId'}) → ${answer.status}`
      checked.set(operation.operationId ?? where, (checked.get(operation.operationId ?? where) ?? 0) + 1)
      const responses = operation.responses ?? {}
      const status = String(answer.status)
      const response = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default
      if (response === undefined) return [`${where}: the status is not documented`]
      const content = response.content ?? {}
      if (Object.keys(content).length === 0) {
        return answer.text === ''
          ? []
          : [`${where}: documented without a body, answered ${answer.text.slice(0, 200)}`]
      }
      const type = (answer.contentType ?? '').split(';')[0]?.trim() ?? ''
      const media = content[type]
      if (media === undefined) {
        return [`${where}: content type ${type || 'none'} is not one of ${Object.keys(content).join(', ')}`]
      }
      if (type !== 'application/json' || media.schema === undefined) return []
      if (answer.json === undefined) return [`${where}: the body is not JSON: ${answer.text.slice(0, 200)}`]
      const validate = validatorOf(media.schema)
      if (validate(answer.json)) return []
      return (validate.errors ?? []).map(
        (error) =>
          `${where}: ${error.instancePath || 'the body'} ${error.message} (${JSON.stringify(error.params)}) in ${answer.text.slice(0, 300)}`,
      )
    },
  }
}
