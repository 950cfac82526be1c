import { checkCount, checkTaskArguments, Limits, validationFailed } from '@taskforge/core'
import type { StepFormField } from '@taskforge/proto/jobs/v1/model'
import { resolveTaskArguments } from './task-arguments.js'

/**
 * The answers to an input step's form (decision 32), checked as a run's arguments are checked against
 * its task's (the form has their schema): a label the form does not have is refused, a required field
 * needs a value, a field left out takes its default, a `fixed` one its own value, a `json` one must
 * parse, and the values are held to a run's argument limits. Answers every field of the form by
 * label, with the values in the form's order.
 *
 * @example
 * stepAnswers([{ order: 0, type: 'input', label: 'version', required: true }], { version: '1.2' })
 * // { byLabel: { version: '1.2' }, values: ['1.2'] }
 */
export function stepAnswers(
  form: readonly StepFormField[],
  answers: Readonly<Record<string, string>>,
): { byLabel: Record<string, string>; values: string[] } {
  const labels = Object.keys(answers)
  checkCount(Limits.taskArgumentCount, 'answers', labels.length)
  const fields = form
    .map((field, index) => ({ field, index }))
    .sort((a, b) => a.field.order - b.field.order || a.index - b.index)
    .map(({ field }) => field)
  const known = new Set(fields.map((field) => field.label))
  const unknown = labels.find((label) => !known.has(label))
  if (unknown !== undefined) {
    throw validationFailed(`the form has no field ${JSON.stringify(unknown.slice(0, 100))}`, {
      field: 'answers',
      label: unknown.slice(0, 100),
      allowed: [...known],
    })
  }
  const open = fields.filter((field) => field.type !== 'fixed')
  for (const field of open) {
    const value = answers[field.label]
    if (value !== undefined && field.options.length > 0 && value !== '' && !field.options.includes(value)) {
      throw validationFailed(`answers.${field.label} must be one of the field's options`, {
        field: `answers.${field.label}`,
        allowed: field.options,
      })
    }
  }
  let values: string[]
  try {
    values = resolveTaskArguments(
      fields,
      open.map((field) => answers[field.label] ?? field.value),
    )
  } catch (error) {
    const details = (error as { details?: { label?: string } }).details
    if (details?.label !== undefined) {
      const why =
        error instanceof Error && error.message.endsWith('JSON') ? 'is not valid JSON' : 'is required'
      throw validationFailed(`answers.${details.label} ${why}`, { field: `answers.${details.label}` })
    }
    throw error
  }
  checkTaskArguments(values, 'answers')
  const byLabel: Record<string, string> = {}
  fields.forEach((field, index) => {
    byLabel[field.label] = values[index] ?? ''
  })
  return { byLabel, values }
}
