import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Whether a presented secret key is the task's, in time that does not depend on where they differ
 * nor on their lengths (both are hashed to 32 bytes first).
 */
export function secretMatches(presented: string, actual: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(actual, 'utf8').digest()
  return timingSafeEqual(a, b) && actual !== ''
}
