import { stringify } from 'yaml'

export const FORMATS = ['table', 'json', 'yaml'] as const
export type Format = (typeof FORMATS)[number]

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value)
}

/** A value as one table cell: one line, arrays joined with commas, objects as JSON. */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value.replace(/\r?\n/g, '\\n')
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** Rows as text columns separated by two spaces, the header first; the last column is not padded. */
export function table(rows: Record<string, unknown>[], columns: readonly string[]): string {
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => columns.map((c) => cell(row[c])))]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => [...(line[i] ?? '')].length)))
  return cells
    .map((line) =>
      line
        .map((text, i) =>
          i === line.length - 1 ? text : text + ' '.repeat((widths[i] ?? 0) - [...text].length),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}

/**
 * `data` as `format`: JSON and YAML hold all of it and parse back to the same value; a table shows
 * `columns` of a list (one row each), or every field of one object as a FIELD/VALUE list.
 */
export function render(data: unknown, format: Format, columns?: readonly string[]): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`
  if (format === 'yaml') return stringify(data, { lineWidth: 0 })
  if (Array.isArray(data)) {
    const rows = data.map((item) =>
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : { value: item },
    )
    const shown = columns ?? Object.keys(rows[0] ?? { value: '' })
    return table(rows, shown)
  }
  if (typeof data === 'object' && data !== null) {
    const entries = Object.entries(data as Record<string, unknown>)
    return table(
      entries.map(([field, value]) => ({ field, value })),
      ['field', 'value'],
    )
  }
  return `${cell(data)}\n`
}
