import { createHash } from 'node:crypto'

/** SHA-256 of a bot secret as hex: what the store keeps instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}
