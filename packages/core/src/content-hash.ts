import { createHash } from 'node:crypto'

/**
 * The name of a content by what it holds: hex SHA-256, 64 lowercase characters. Jobs name their
 * script by it, the catalog keeps contents under it and a bot caches them under it.
 */
export function contentSha256(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/** Whether `value` has the form {@link contentSha256} answers (safe as a file name, too). */
export function isContentSha256(value: string): boolean {
  return SHA256_HEX.test(value)
}
