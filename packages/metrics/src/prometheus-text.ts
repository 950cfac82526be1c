/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** A parsed exposition: the samples, and the declared type of each metric family. */
export interface Exposition {
  samples: Sample[]
  types: Map<string, string>
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`)
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

function parseValue(raw: string, line: string): number {
  // Prometheus reads values with Go's ParseFloat: special values in any case (prom-client writes `Nan`).
  const special = raw.toLowerCase()
  if (special === '+inf' || special === 'inf') return Number.POSITIVE_INFINITY
  if (special === '-inf') return Number.NEGATIVE_INFINITY
  if (special === 'nan') return Number.NaN
  const value = Number(raw)
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${line}`)
  return value
}

function parseLabels(raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < raw.length) {
    const match = LABEL.exec(raw)
    if (match === null) throw new Error(`malformed labels: ${line}`)
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) =>
      c === 'n' ? '\n' : c,
    )
  }
  return labels
}

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every line must be a comment, a
 * `# HELP`/`# TYPE` line of a valid name and type, or a sample. Throws on the first bad line.
 *
 * @example
 * const { samples } = parsePrometheusText(await (await fetch(`${health}/metrics`)).text())
 */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    if (line.startsWith('#')) {
      const [, keyword, name, ...rest] = line.split(/\s+/)
      if (keyword === 'TYPE') {
        const type = rest[0] ?? ''
        if (name === undefined || !new RegExp(`^${NAME}$`).test(name) || !TYPES.has(type))
          throw new Error(`malformed TYPE line: ${line}`)
        types.set(name, type)
      } else if (keyword === 'HELP' && (name === undefined || !new RegExp(`^${NAME}$`).test(name))) {
        throw new Error(`malformed HELP line: ${line}`)
      }
      continue
    }
    const match = SAMPLE.exec(line)
    if (match === null) throw new Error(`not a sample: ${line}`)
    samples.push({
      name: match[1] as string,
      labels: match[2] === undefined || match[2] === '' ? {} : parseLabels(match[2], line),
      value: parseValue(match[3] as string, line),
    })
  }
  return { samples, types }
}
