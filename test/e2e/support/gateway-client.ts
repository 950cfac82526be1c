import { type AnswerValidator, answerValidator, type OpenApiDocument } from './answer-validation.js'

/** One answer of the gateway, read once: status, headers, raw text and the JSON it holds (if any). */
export interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
  /** The JSON body as an object (empty when it is none), for reading fields in assertions. */
  body: Record<string, unknown>
}

export interface CallOptions {
  token?: string
  /** JSON body (any value, arrays included). */
  json?: unknown
  /** Raw body sent as is, with the given content type. */
  raw?: { body: string; contentType: string }
  headers?: Record<string, string>
}

const validators = new Map<string, Promise<AnswerValidator>>()

/** The validator of one gateway's answers, from the document that gateway serves (read once). */
export function validatorFor(baseUrl: string): Promise<AnswerValidator> {
  let validator = validators.get(baseUrl)
  if (validator === undefined) {
    validator = fetch(`${baseUrl}/openapi.json`, { signal: AbortSignal.timeout(30_000) })
      .then(async (response) => answerValidator((await response.json()) as OpenApiDocument))
      .catch((error: unknown) => {
        validators.delete(baseUrl)
        throw error
      })
    validators.set(baseUrl, validator)
  }
  return validator
}

/**
 * A small HTTP client for the gateway: bearer token, JSON or raw bodies, answers read in full.
 * Every answer is held to the gateway's OpenAPI document (its status, content type and schema): an
 * answer the document does not describe fails the call, and so the test that made it.
 */
export function gatewayClient(baseUrl: string) {
  return async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType
      body = options.raw.body
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(90_000),
    })
    const text = await response.text()
    let json: unknown
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    const asObject =
      typeof json === 'object' && json !== null && !Array.isArray(json)
        ? (json as Record<string, unknown>)
        : {}
    const answer = { status: response.status, headers: response.headers, text, json, body: asObject }
    const problems = (await validatorFor(baseUrl)).check({
      method,
      path,
      status: response.status,
      contentType: response.headers.get('content-type'),
      text,
      json,
    })
    if (problems.length > 0)
      throw new Error(`the answer is not what the OpenAPI document says:\n${problems.join('\n')}`)
    return answer
  }
}

export type GatewayCall = ReturnType<typeof gatewayClient>
