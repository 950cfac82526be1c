const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Durations are accepted once at the edge, as milliseconds or a string such as `'30s'`, `'5m'`,
 * `'250ms'`, and are milliseconds everywhere after.
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

export function toMillis(value: Duration | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid duration: ${value}`)
    return value
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value)
  if (!match) throw new RangeError(`invalid duration: ${JSON.stringify(value)}`)
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!)
}
