import createClient, { type Client } from 'openapi-fetch'
import { TaskforgeError } from './errors.js'
import type { components, paths } from './gen/api.js'

export type Job = components['schemas']['Job']
export type Task = components['schemas']['Task']

export interface TaskforgeOptions {
  /** The gateway's URL; else `TASKFORGE_URL`, else `http://127.0.0.1:8080`. */
  url?: string
  /** An access token; else `TASKFORGE_TOKEN`. Sent as `Authorization: Bearer`. */
  token?: string
  /** The organization routes act in; else `TASKFORGE_CUSTOMER`. */
  customer?: string
  /** Where the defaults are read from (`process.env`). */
  env?: Record<string, string | undefined>
  fetch?: typeof fetch
}

export interface Taskforge {
  /** Every operation of the API, typed from its OpenAPI document; error answers throw {@link TaskforgeError}. */
  readonly api: Client<paths>
  readonly url: string
  readonly customer: string
  /** The headers every request carries (the token). */
  readonly headers: Record<string, string>
  readonly fetch: typeof fetch
}

/**
 * A client of one gateway, as one caller in one organization.
 *
 * ```ts
 * const tf = createTaskforge() // TASKFORGE_URL, TASKFORGE_TOKEN, TASKFORGE_CUSTOMER
 * const { data: jobs } = await tf.api.GET('/{customer}/job', { params: { path: { customer: tf.customer } } })
 * ```
 */
export function createTaskforge(options: TaskforgeOptions = {}): Taskforge {
  const env = options.env ?? process.env
  const url = (options.url ?? env.TASKFORGE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  const token = options.token ?? env.TASKFORGE_TOKEN
  const customer = options.customer ?? env.TASKFORGE_CUSTOMER ?? ''
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  const fetchFn = options.fetch ?? globalThis.fetch
  const api = createClient<paths>({ baseUrl: url, headers, fetch: (request) => fetchFn(request) })
  api.use({
    async onResponse({ response }) {
      if (!response.ok && response.status >= 400) throw await TaskforgeError.fromResponse(response)
      return undefined
    },
  })
  return { api, url, customer, headers, fetch: fetchFn }
}

/** The organization a call acts in: the client's, which must be set. */
export function customerOf(tf: Taskforge): string {
  if (tf.customer === '')
    throw new TaskforgeError(0, 'NO_CUSTOMER', 'no organization: pass customer or set TASKFORGE_CUSTOMER')
  return tf.customer
}
