import { AppError, ErrorKinds } from '@taskforge/core'

/**
 * The version an `If-Match` header asks for: 0 when there is none or it is `*` (no condition). Entity
 * tags are the version in quotes (as GET answers in `ETag`); weak tags and bare numbers are accepted.
 * A tag that cannot be one of our versions can never match: 412, as HTTP says.
 */
export function expectedVersion(header: string | string[] | undefined): number {
  const value = (Array.isArray(header) ? header[0] : header)?.trim()
  if (value === undefined || value === '' || value === '*') return 0
  const first = value.split(',')[0]?.trim() ?? ''
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(first)
  const version = match ? Number(match[1]) : 0
  if (version < 1) {
    throw new AppError(ErrorKinds.PRECONDITION_FAILED, `If-Match ${first.slice(0, 50)} matches no version`, {
      details: { field: 'if-match' },
    })
  }
  return version
}

/** The entity tag of an object at `version`. */
export const etagOf = (version: number): string => `"${version}"`
