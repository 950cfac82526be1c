import { AppError, ErrorKinds, isAppError } from '@taskforge/core'
import type { ExpectedVersion } from './types.js'

/**
 * The stream moved on since the writer read it (optimistic concurrency). Retrying after re-reading
 * the stream can succeed. `details` carry versions as strings: they cross process edges as JSON.
 */
export class WrongExpectedVersionError extends AppError {
  readonly streamId: string
  readonly expected: ExpectedVersion
  /** The stream's version when the append failed; `undefined` when the stream does not exist. */
  readonly actual: bigint | undefined

  constructor(streamId: string, expected: ExpectedVersion, actual: bigint | undefined) {
    const shown = (version: ExpectedVersion | undefined) =>
      version === undefined ? 'no_stream' : String(version)
    super(
      ErrorKinds.WRONG_EXPECTED_VERSION,
      `stream ${streamId} is at version ${shown(actual)}, expected ${shown(expected)}`,
      { details: { streamId, expected: shown(expected), actual: shown(actual) } },
    )
    this.name = 'WrongExpectedVersionError'
    this.streamId = streamId
    this.expected = expected
    this.actual = actual
  }
}

/** True for a wrong-expected-version failure, wherever it was raised (also after crossing gRPC). */
export function isWrongExpectedVersion(error: unknown): boolean {
  return isAppError(error) && error.code === ErrorKinds.WRONG_EXPECTED_VERSION.code
}

/** Whether a stream at `actual` (undefined: no stream) satisfies `expected`. */
export function versionMatches(expected: ExpectedVersion, actual: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true
    case 'no_stream':
      return actual === undefined
    case 'stream_exists':
      return actual !== undefined
    default:
      return expected === (actual ?? 0n)
  }
}
