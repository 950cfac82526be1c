import type { operations } from '@taskforge/sdk'
import { definitionsOf, type Field, fieldsOf } from './run-form.js'

/** A step waiting for the caller, as `GET /:customer/inbox` lists it. */
export type InboxItem = operations['listInbox']['responses'][200]['content']['application/json'][number]

/** How long a comment may be (the API refuses a longer one with 422). */
export const COMMENT_BYTES = 4096

/** The fields of an input step's form: the run form's, from the form's argument definitions. */
export function inputFieldsOf(item: Pick<InboxItem, 'form'>): Field[] {
  return fieldsOf(definitionsOf(item.form ?? []))
}

/**
 * The answers of `PUT /:customer/job/:id/input`, by label: a fixed field is the form's, not the
 * caller's, and a field left empty is left out, so that it takes its default.
 */
export function answersOf(fields: readonly Field[]): Record<string, string> {
  const answers: Record<string, string> = {}
  for (const field of fields)
    if (!field.fixed && field.value !== '') answers[field.definition.label] = field.value
  return answers
}

/**
 * Whether an event of the stream may change the inbox: a step of some run starting to wait or
 * ending (a `workflow_run` event naming a node), or a vote on one of the steps listed.
 */
export function touchesInbox(
  change: { name: string; data: Record<string, unknown> },
  listed: ReadonlySet<string>,
): boolean {
  if (change.name === 'tick') return true
  if (change.name === 'workflow_run') return typeof change.data.node === 'string'
  if (change.name === 'job') return typeof change.data.id === 'string' && listed.has(change.data.id)
  return false
}
