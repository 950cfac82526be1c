import { randomBytes } from 'node:crypto'

/**
 * A UUID version 7: time-ordered, so ids sort by creation and index well.
 */
export function newId(now: number = Date.now()): string {
  const bytes = randomBytes(16)
  bytes[0] = (now / 2 ** 40) & 0xff
  bytes[1] = (now / 2 ** 32) & 0xff
  bytes[2] = (now >>> 24) & 0xff
  bytes[3] = (now >>> 16) & 0xff
  bytes[4] = (now >>> 8) & 0xff
  bytes[5] = now & 0xff
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A random secret of `bytes` bytes, as hex (64 characters for the default 32 bytes). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex')
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isId(value: string): boolean {
  return UUID.test(value)
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** When a UUID version 7 was made (ms since the epoch), from its first 48 bits; undefined for any other id. */
export function idTime(id: string): number | undefined {
  if (!UUID_V7.test(id)) return undefined
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
}
