import { randomBytes } from 'node:crypto'

/** The millisecond and the counter of the last id made in this process for the time now (RFC 9562, method 1). */
let lastMillis = -1
let counter = 0

const randomBits = (bits: number): number => randomBytes(2).readUInt16BE() & ((1 << bits) - 1)

/**
 * A UUID version 7: time-ordered, so ids sort by creation and index well. Ids made for the time now
 * by this process sort in the order they were made, within a millisecond too: the 12 bits after the
 * time are a counter that starts at a random value below 2,048 in each millisecond; past 4,095 the id
 * borrows the next millisecond, and a clock set back keeps the last one. An id for a time given (`at`)
 * is random within its millisecond and leaves the counter alone.
 */
export function newId(at?: number): string {
  let millis: number
  let sequence: number
  if (at !== undefined) {
    millis = at
    sequence = randomBits(12)
  } else {
    millis = Date.now()
    if (millis > lastMillis) {
      counter = randomBits(11)
    } else {
      millis = lastMillis
      counter += 1
      if (counter > 0xfff) {
        millis += 1
        counter = randomBits(11)
      }
    }
    lastMillis = millis
    sequence = counter
  }
  const bytes = randomBytes(16)
  bytes[0] = (millis / 2 ** 40) & 0xff
  bytes[1] = (millis / 2 ** 32) & 0xff
  bytes[2] = (millis >>> 24) & 0xff
  bytes[3] = (millis >>> 16) & 0xff
  bytes[4] = (millis >>> 8) & 0xff
  bytes[5] = millis & 0xff
  bytes[6] = 0x70 | (sequence >>> 8)
  bytes[7] = sequence & 0xff
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
