/**
 * The run form of a task, generated from its argument definitions: one field per argument in
 * `order`, `fixed` ones shown read-only, the others validated before anything is sent, as the
 * scheduler would (required, valid JSON, one of the options).
 */
export interface ArgumentDefinition {
  order: number
  type: string
  label: string
  value?: string
  required?: boolean
  options?: string[]
}

export interface Field {
  definition: ArgumentDefinition
  /** Fixed arguments are shown, not sent. */
  fixed: boolean
  value: string
}

/** The definitions of a task's `task_arguments`, in the order a run consumes them. */
export function definitionsOf(raw: readonly Record<string, unknown>[]): ArgumentDefinition[] {
  return raw
    .map((arg, index) => ({
      index,
      definition: {
        order: typeof arg.order === 'number' ? arg.order : index,
        type: typeof arg.type === 'string' ? arg.type : 'input',
        label: typeof arg.label === 'string' && arg.label !== '' ? arg.label : `argument ${index + 1}`,
        value: typeof arg.value === 'string' ? arg.value : arg.value === undefined ? '' : String(arg.value),
        required: arg.required === true,
        options: Array.isArray(arg.options) ? arg.options.map(String) : [],
      },
    }))
    .sort((a, b) => a.definition.order - b.definition.order || a.index - b.index)
    .map(({ definition }) => definition)
}

/**
 * The fields of a run, filled with each argument's default, or with a previous job's argv
 * (`task_arguments_values`, fixed values included) for "run again".
 */
export function fieldsOf(definitions: readonly ArgumentDefinition[], previous?: readonly string[]): Field[] {
  return definitions.map((definition, position) => {
    const fixed = definition.type === 'fixed'
    const before = previous?.[position]
    const value = fixed ? (definition.value ?? '') : (before ?? defaultOf(definition))
    return { definition, fixed, value }
  })
}

function defaultOf(definition: ArgumentDefinition): string {
  if (definition.value) return definition.value
  if (definition.type === 'select' && definition.required && definition.options?.[0] !== undefined)
    return definition.options[0]
  return ''
}

/** What is wrong with one field's value, or undefined. */
export function problemOf(field: Field): string | undefined {
  if (field.fixed) return undefined
  const { definition, value } = field
  if (value === '') return definition.required ? `${definition.label} is required` : undefined
  if (definition.type === 'json') {
    try {
      JSON.parse(value)
    } catch (error) {
      return `${definition.label} is not valid JSON: ${(error as Error).message}`
    }
  }
  if (definition.type === 'select' && definition.options?.length && !definition.options.includes(value))
    return `${definition.label} must be one of ${definition.options.join(', ')}`
  if (definition.type === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value))
    return `${definition.label} is not an email address`
  return undefined
}

/** The values a run sends: one per non-fixed argument, in order. */
export function argumentsOf(fields: readonly Field[]): string[] {
  return fields.filter((field) => !field.fixed).map((field) => field.value)
}
