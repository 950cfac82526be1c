import { Pool } from 'undici'

export interface JsonAnswer {
  status: number
  body: unknown
}

/** A keep-alive HTTP client for one REST origin, authenticating with a bearer token. */
export class JsonClient {
  readonly #pool: Pool
  readonly #token: string

  constructor(origin: string, token: string, connections = 64) {
    this.#pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 })
    this.#token = token
  }

  async request(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
    const answer = await this.#pool.request({
      method: method as 'GET',
      path,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    })
    const text = await answer.body.text()
    return { status: answer.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) }
  }

  /** As {@link request}, and fails unless the status is `expected`. */
  async expect(
    expected: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const answer = await this.request(method, path, body)
    if (answer.status !== expected) {
      throw new Error(
        `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      )
    }
    return answer.body as Record<string, unknown>
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}

export function stringField(record: Record<string, unknown>, key: string): string {
  const value = record[key]
  if (typeof value !== 'string') throw new Error(`no ${key} in ${JSON.stringify(record).slice(0, 300)}`)
  return value
}
