import { createHash, timingSafeEqual } from 'node:crypto'

/** Tokens are stored only as their SHA-256; the token itself is shown once. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest()

/**
 * A constant-time test against `secret` (hashes are compared, so lengths never leak); the secret
 * is hashed once, not per request.
 */
export function secretMatcher(secret: string): (candidate: string) => boolean {
  const expected = digest(secret)
  return (candidate) => timingSafeEqual(digest(candidate), expected)
}
