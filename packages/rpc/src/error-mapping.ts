import { Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { AppError, appErrorFromCode, type ErrorKind, ErrorKinds, isAppError } from '@taskforge/core'

/** Trailing metadata key that carries an AppError across gRPC. */
export const ERROR_METADATA_KEY = 'taskforge-error'

// Trailers share the header size limit (8 KiB by default): details that do not fit are dropped.
const MAX_ERROR_JSON = 6_000

/** The status a server answers for a thrown error (never a stack: that stays in the server's log). */
export interface ErrorResponse {
  code: status
  details: string
  metadata: Metadata
}

interface SerializedAppError {
  code: string
  message: string
  details?: Record<string, unknown>
}

/** Maps what a handler threw to a gRPC status, with the AppError as JSON in the trailers. */
export function toErrorResponse(error: unknown): ErrorResponse {
  const appError = isAppError(error) ? error : undefined
  const body: SerializedAppError =
    appError === undefined
      ? { code: ErrorKinds.INTERNAL.code, message: 'internal error' }
      : {
          code: appError.code,
          message: appError.message,
          ...(appError.details === undefined ? {} : { details: appError.details }),
        }
  let json = JSON.stringify(body)
  if (json.length > MAX_ERROR_JSON)
    json = JSON.stringify({ code: body.code, message: body.message.slice(0, 2_000) })
  const metadata = new Metadata()
  metadata.set(ERROR_METADATA_KEY, asciiJson(json))
  return {
    code: (appError?.grpcStatus ?? status.INTERNAL) as status,
    details: body.message,
    metadata,
  }
}

/**
 * gRPC metadata values must be printable ASCII, or grpc-js throws while sending the status. Every
 * other character is written as a JSON `\uXXXX` escape, which JSON.parse reads back unchanged.
 */
export function asciiJson(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function parseErrorMetadata(metadata: Metadata | undefined): SerializedAppError | undefined {
  const raw = metadata?.get(ERROR_METADATA_KEY)[0]
  if (raw === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(raw.toString())
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { code, message, details } = parsed as Record<string, unknown>
    if (typeof code !== 'string' || typeof message !== 'string') return undefined
    const isRecord = typeof details === 'object' && details !== null && !Array.isArray(details)
    return { code, message, ...(isRecord ? { details: details as Record<string, unknown> } : {}) }
  } catch {
    return undefined
  }
}

const kindByStatus: Partial<Record<status, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: ErrorKinds.BAD_REQUEST,
  [status.NOT_FOUND]: ErrorKinds.NOT_FOUND,
  [status.ALREADY_EXISTS]: ErrorKinds.CONFLICT,
  [status.PERMISSION_DENIED]: ErrorKinds.FORBIDDEN,
  [status.UNAUTHENTICATED]: ErrorKinds.UNAUTHORIZED,
  [status.FAILED_PRECONDITION]: ErrorKinds.PRECONDITION_FAILED,
  [status.ABORTED]: ErrorKinds.CONFLICT,
  [status.RESOURCE_EXHAUSTED]: ErrorKinds.TOO_MANY_REQUESTS,
  [status.UNAVAILABLE]: ErrorKinds.UNAVAILABLE,
  [status.CANCELLED]: ErrorKinds.UNAVAILABLE,
  [status.DEADLINE_EXCEEDED]: ErrorKinds.TIMEOUT,
}

/**
 * Turns a failed call back into an AppError: the server's own AppError when it sent one (same code),
 * otherwise one derived from the status (unreachable -> UNAVAILABLE, deadline -> TIMEOUT).
 */
export function fromServiceError(error: ServiceError, method: string): AppError {
  const sent = parseErrorMetadata(error.metadata)
  if (sent !== undefined) {
    const appError = appErrorFromCode(sent.code, sent.message, sent.details)
    return Object.assign(appError, { cause: error })
  }
  const kind = kindByStatus[error.code] ?? ErrorKinds.INTERNAL
  const reason =
    kind === ErrorKinds.UNAVAILABLE
      ? `${method} unavailable`
      : kind === ErrorKinds.TIMEOUT
        ? `${method} timed out`
        : `${method} failed`
  return new AppError(kind, `${reason}: ${error.details || status[error.code]}`, { cause: error })
}

/** Whether a status means the server failed (as opposed to rejecting the request). */
export function isServerFault(code: status): boolean {
  return (
    code === status.UNKNOWN ||
    code === status.INTERNAL ||
    code === status.UNAVAILABLE ||
    code === status.DEADLINE_EXCEEDED ||
    code === status.UNIMPLEMENTED ||
    code === status.DATA_LOSS
  )
}
