import type { TaskArgument } from '@taskforge/proto/catalog/v1/model'
import { resolveTaskArguments } from '../domain/task-arguments.js'

/**
 * The values an incoming webhook's payload (JSON text) gives the jobs it triggers: an array gives its
 * items (strings as they are, other values as JSON), an object gives one argument (its JSON), a
 * string, number or boolean gives itself, and no body (`null`) gives none.
 *
 * @example
 * valuesFromPayload('["a", 2, {"b": 1}]') // ['a', '2', '{"b":1}']
 * valuesFromPayload('{"ref": "main"}')    // ['{"ref":"main"}']
 */
export function valuesFromPayload(payloadJson: string): string[] {
  if (payloadJson.trim() === '') return []
  let payload: unknown
  try {
    payload = JSON.parse(payloadJson)
  } catch {
    return [payloadJson]
  }
  if (payload === null) return []
  if (Array.isArray(payload)) return payload.map(asArgument)
  return [asArgument(payload)]
}

function asArgument(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * The argv of a triggered job from the values its trigger gives (the triggering job's output lines,
 * or the webhook's payload): the task's argument definitions take them as a run's supplied values
 * would (fixed ones keep their value, the others take the values in order, defaults when values run
 * out), and values beyond the definitions follow at the end, so nothing a trigger sent is lost. A
 * missing required value or invalid JSON for a `json` argument throws, as for a run.
 *
 * @example
 * triggeredArguments([{ order: 0, type: 'fixed', value: '-v' }], ['a', 'b']) // ['-v', 'a', 'b']
 */
export function triggeredArguments(
  definitions: readonly Pick<TaskArgument, 'order' | 'type' | 'label' | 'value' | 'required'>[],
  values: readonly string[],
): string[] {
  const slots = definitions.filter((definition) => definition.type !== 'fixed').length
  return [...resolveTaskArguments(definitions, values.slice(0, slots)), ...values.slice(slots)]
}
