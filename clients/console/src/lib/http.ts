import { TaskforgeError } from '@taskforge/sdk'
import { tf } from './api.js'

/**
 * A GET of the API with query parameters the generated types may not know yet (new list filters,
 * cursors), answering the body and the headers (`x-next-cursor`, `Link`).
 */
export async function getWithHeaders<T>(
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<{ data: T; headers: Headers }> {
  const client = tf()
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value) search.set(key, value)
  const text = search.toString()
  const response = await client.fetch(`${client.url}${path}${text ? `?${text}` : ''}`)
  if (!response.ok) throw await TaskforgeError.fromResponse(response)
  return { data: (await response.json()) as T, headers: response.headers }
}

/** The organization's path prefix: `/demo`. */
export const org = () => `/${encodeURIComponent(tf().customer)}`
