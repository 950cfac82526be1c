/** A task argument's definition, as far as the layout of the argv goes. */
type Definition = { type?: unknown; order?: unknown }

/**
 * The values a run supplied, from a job's `task_arguments_values` (the whole argv, fixed arguments
 * included): the values at the positions of the task's non-fixed arguments, in the order the
 * scheduler lays them out (by `order`, ties in definition order).
 */
export function suppliedArguments(definitions: readonly Definition[], values: readonly string[]): string[] {
  const sorted = definitions.map((definition, index) => ({ definition, index }))
  sorted.sort(
    (a, b) => Number(a.definition.order ?? 0) - Number(b.definition.order ?? 0) || a.index - b.index,
  )
  if (sorted.length !== values.length) return [...values]
  return values.filter((_, position) => sorted[position]?.definition.type !== 'fixed')
}

/** The arguments of `--arg-json`: a JSON array, or an object with a `task_arguments` array. */
export function argumentsFromJson(text: string, source: string): unknown[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--arg-json ${source}: not JSON (${(error as Error).message})`)
  }
  if (Array.isArray(value)) return value
  if (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Record<string, unknown>).task_arguments)
  )
    return (value as { task_arguments: unknown[] }).task_arguments
  throw new UsageError(`--arg-json ${source}: not a JSON array of arguments (nor {"task_arguments": [...]})`)
}

/** A command used wrongly: told on stderr, exit 1. */
export class UsageError extends Error {
  override name = 'UsageError'
}
