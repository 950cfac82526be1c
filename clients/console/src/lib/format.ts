/** A date as the reader's local time, to the second; '' for none. */
export function when(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { hour12: false })
}

/** How long ago, short: `5s`, `3m`, `2h`, `4d`. */
export function ago(value: string | null | undefined, now = Date.now()): string {
  if (!value) return ''
  const seconds = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}

export const ENDED = new Set(['finished', 'terminated', 'canceled'])
