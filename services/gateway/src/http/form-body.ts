/** Names that would reach an object's prototype if used as keys. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** Longer names are none of ours: they are dropped unread. */
const MAX_NAME_LENGTH = 200

export interface FormOptions {
  /** Also trim values (for bodies that only look like forms: names and values carry stray spaces). */
  trimValues?: boolean
}

type FormValue = string | string[]

/**
 * Decodes an `application/x-www-form-urlencoded` body the way HTML forms and `curl --data-urlencode`
 * write it. Names are trimmed (curl keeps the spaces around `=` in the name); `name[]` and `name[N]`
 * collect a list under `name`, and so does a repeated name; `task_arguments` is always a list.
 *
 * @example
 * parseFormBody('customer =+demo&task_arguments[]=a&task_arguments[]=b', { trimValues: true })
 * // { customer: 'demo', task_arguments: ['a', 'b'] }
 */
export function parseFormBody(text: string, options: FormOptions = {}): Record<string, FormValue> {
  const scalars = new Map<string, string[]>()
  const indexed = new Map<string, { index: number; position: number; value: string }[]>()
  let position = 0
  for (const [rawName, rawValue] of new URLSearchParams(text)) {
    const value = options.trimValues ? rawValue.trim() : rawValue
    const name = rawName.trim()
    if (name.length > MAX_NAME_LENGTH) continue
    const list = /^([^[\]]+)\[\s*(\d{0,6})\s*\]$/.exec(name)
    const key = (list?.[1] ?? name).trim()
    if (key === '' || UNSAFE_KEYS.has(key)) continue
    if (list) {
      // Every value is kept (the body limit bounds them): a list past its limit is refused, not cut.
      const entries = indexed.get(key) ?? []
      entries.push({ index: list[2] === '' ? Number.POSITIVE_INFINITY : Number(list[2]), position, value })
      indexed.set(key, entries)
    } else {
      const values = scalars.get(key) ?? []
      values.push(value)
      scalars.set(key, values)
    }
    position++
  }
  const body: Record<string, FormValue> = {}
  for (const [key, values] of scalars) body[key] = values.length === 1 ? (values[0] ?? '') : values
  for (const [key, entries] of indexed) {
    // Indexed entries go by index, `name[]` ones keep their order after them.
    entries.sort((a, b) => a.index - b.index || a.position - b.position)
    const previous = body[key]
    const before = previous === undefined ? [] : Array.isArray(previous) ? previous : [previous]
    body[key] = [...before, ...entries.map((entry) => entry.value)]
  }
  const args = body.task_arguments
  if (typeof args === 'string') body.task_arguments = [args]
  return body
}

/** Whether a body declared as something else is in fact form-encoded (`name=value&...`). */
export function looksLikeForm(text: string): boolean {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    return false
  }
  const end = trimmed.indexOf('&')
  return (end === -1 ? trimmed : trimmed.slice(0, end)).indexOf('=') > 0
}
