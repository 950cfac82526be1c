import { validationFailed } from '@taskforge/core'
import type { TaskArgument } from '@taskforge/proto/catalog/v1/model'

/**
 * The argv of a run: the task's argument definitions in `order`; a `fixed` one takes its own value, every
 * other consumes the next supplied value (or its default when none is left).
 *
 * @example
 * resolveTaskArguments([{ order: 0, type: 'fixed', value: '-v' }, { order: 1, type: 'input', label: 'host' }], ['db1'])
 * // ['-v', 'db1']
 */
export function resolveTaskArguments(
  definitions: readonly Pick<TaskArgument, 'order' | 'type' | 'label' | 'value' | 'required'>[],
  supplied: readonly string[],
): string[] {
  const sorted = definitions.map((definition, index) => ({ definition, index }))
  // Ties keep the definitions' own order, so the answer does not depend on the sort's stability.
  sorted.sort((a, b) => a.definition.order - b.definition.order || a.index - b.index)
  const argv: string[] = []
  let next = 0
  for (const { definition } of sorted) {
    if (definition.type === 'fixed') {
      argv.push(definition.value)
      continue
    }
    const position = next++
    const name = `task_arguments[${position}]`
    const value = supplied[position]
    if (value === undefined || value === '') {
      if (definition.required) {
        throw validationFailed(`${name} (${definition.label}) is required`, {
          argument: name,
          label: definition.label,
        })
      }
      argv.push(value ?? definition.value)
      continue
    }
    if (definition.type === 'json' && !isJson(value)) {
      throw validationFailed(`${name} (${definition.label}) is not valid JSON`, {
        argument: name,
        label: definition.label,
      })
    }
    argv.push(value)
  }
  if (supplied.length > next) {
    throw validationFailed(`the task takes ${next} argument(s), ${supplied.length} were given`, {
      argument: `task_arguments[${next}]`,
      expected: next,
      given: supplied.length,
    })
  }
  return argv
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
