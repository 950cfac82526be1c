import { Match, type MsgHdrs } from '@nats-io/transport-node'

/** Header names are matched case-insensitively: NATS keeps them as written, W3C names are lower-case. */
export function headersToRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  if (headers === undefined) return record
  for (const key of headers.keys()) record[key] = headers.get(key)
  return record
}

/** Reads `key` from a header record, ignoring case. */
export function headerValue(headers: Record<string, string>, key: string): string | undefined {
  const exact = headers[key]
  if (exact !== undefined) return exact
  const lower = key.toLowerCase()
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lower) return value
  return undefined
}

/** Reads `key` from a message's headers, ignoring case, without building a record of them all. */
export function natsHeader(headers: MsgHdrs | undefined, key: string): string | undefined {
  if (headers === undefined) return undefined
  const value = headers.get(key) || headers.get(key, Match.IgnoreCase)
  return value === '' ? undefined : value
}
