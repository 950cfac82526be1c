/**
 * One error type for the whole platform. Every failure that crosses a process boundary carries a
 * stable string `code`, the HTTP status and gRPC status it maps to, and whether retrying can help.
 * `instanceof` is not trusted across package copies or processes: use {@link isAppError}.
 */
const APP_ERROR = Symbol.for('taskforge.AppError')

/** gRPC status codes used by the platform (subset of the gRPC spec). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus]

export interface ErrorKind {
  readonly code: string
  readonly httpStatus: number
  readonly grpcStatus: GrpcStatus
  readonly nonRetryable: boolean
}

/** The registry of error codes: one place that says what each failure means at every edge. */
export const ErrorKinds = {
  BAD_REQUEST: {
    code: 'BAD_REQUEST',
    httpStatus: 400,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  VALIDATION_FAILED: {
    code: 'VALIDATION_FAILED',
    httpStatus: 422,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  /** An input larger than one of the platform's limits (`limits.ts`). */
  LIMIT_EXCEEDED: {
    code: 'LIMIT_EXCEEDED',
    httpStatus: 422,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  UNAUTHORIZED: {
    code: 'UNAUTHORIZED',
    httpStatus: 401,
    grpcStatus: GrpcStatus.UNAUTHENTICATED,
    nonRetryable: true,
  },
  FORBIDDEN: {
    code: 'FORBIDDEN',
    httpStatus: 403,
    grpcStatus: GrpcStatus.PERMISSION_DENIED,
    nonRetryable: true,
  },
  NOT_FOUND: { code: 'NOT_FOUND', httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND, nonRetryable: true },
  METHOD_NOT_ALLOWED: {
    code: 'METHOD_NOT_ALLOWED',
    httpStatus: 405,
    grpcStatus: GrpcStatus.UNIMPLEMENTED,
    nonRetryable: true,
  },
  CONFLICT: { code: 'CONFLICT', httpStatus: 409, grpcStatus: GrpcStatus.ALREADY_EXISTS, nonRetryable: true },
  WRONG_EXPECTED_VERSION: {
    code: 'WRONG_EXPECTED_VERSION',
    httpStatus: 409,
    grpcStatus: GrpcStatus.ABORTED,
    nonRetryable: false,
  },
  PRECONDITION_FAILED: {
    code: 'PRECONDITION_FAILED',
    httpStatus: 412,
    grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    nonRetryable: true,
  },
  INVALID_STATE: {
    code: 'INVALID_STATE',
    httpStatus: 409,
    grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    nonRetryable: true,
  },
  PAYLOAD_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    httpStatus: 413,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  HEADERS_TOO_LARGE: {
    code: 'HEADERS_TOO_LARGE',
    httpStatus: 431,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    httpStatus: 415,
    grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    nonRetryable: true,
  },
  TOO_MANY_REQUESTS: {
    code: 'TOO_MANY_REQUESTS',
    httpStatus: 429,
    grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED,
    nonRetryable: false,
  },
  UNAVAILABLE: {
    code: 'UNAVAILABLE',
    httpStatus: 503,
    grpcStatus: GrpcStatus.UNAVAILABLE,
    nonRetryable: false,
  },
  TIMEOUT: {
    code: 'TIMEOUT',
    httpStatus: 504,
    grpcStatus: GrpcStatus.DEADLINE_EXCEEDED,
    nonRetryable: false,
  },
  INTERNAL: { code: 'INTERNAL', httpStatus: 500, grpcStatus: GrpcStatus.INTERNAL, nonRetryable: false },
  /**
   * A service called another without a valid service credential (decision 17). Over gRPC it is
   * UNAUTHENTICATED; should it reach a public edge it is the deployment's fault, not the caller's: 500.
   */
  SERVICE_UNAUTHENTICATED: {
    code: 'SERVICE_UNAUTHENTICATED',
    httpStatus: 500,
    grpcStatus: GrpcStatus.UNAUTHENTICATED,
    nonRetryable: true,
  },
  /** A service called another that does not take calls from it (decision 17); 500 at a public edge. */
  SERVICE_FORBIDDEN: {
    code: 'SERVICE_FORBIDDEN',
    httpStatus: 500,
    grpcStatus: GrpcStatus.PERMISSION_DENIED,
    nonRetryable: true,
  },
} as const satisfies Record<string, ErrorKind>
export type ErrorCode = keyof typeof ErrorKinds

export interface AppErrorOptions {
  details?: Record<string, unknown>
  cause?: unknown
}

export class AppError extends Error {
  readonly [APP_ERROR] = true
  readonly code: string
  readonly httpStatus: number
  readonly grpcStatus: GrpcStatus
  readonly nonRetryable: boolean
  readonly details: Record<string, unknown> | undefined

  constructor(kind: ErrorKind, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = kind.code
    this.httpStatus = kind.httpStatus
    this.grpcStatus = kind.grpcStatus
    this.nonRetryable = kind.nonRetryable
    this.details = options.details
  }

  /** The JSON body every edge answers with. */
  toJSON(): { statusCode: number; code: string; message: string; details?: Record<string, unknown> } {
    return {
      statusCode: this.httpStatus,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    }
  }
}

export function isAppError(error: unknown): error is AppError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[APP_ERROR] === true
}

/** Rebuilds an AppError from its serialized form (used on the receiving side of gRPC). */
export function appErrorFromCode(code: string, message: string, details?: Record<string, unknown>): AppError {
  const kind = (ErrorKinds as Record<string, ErrorKind>)[code] ?? ErrorKinds.INTERNAL
  return new AppError(kind, message, details === undefined ? {} : { details })
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorKinds.BAD_REQUEST, message, details === undefined ? {} : { details })
export const validationFailed = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorKinds.VALIDATION_FAILED, message, details === undefined ? {} : { details })
export const notFound = (what: string, id?: string) =>
  new AppError(ErrorKinds.NOT_FOUND, id === undefined ? `${what} not found` : `${what} ${id} not found`)
export const unauthorized = (message = 'missing or invalid access token') =>
  new AppError(ErrorKinds.UNAUTHORIZED, message)
export const forbidden = (message = 'this credential may not do that') =>
  new AppError(ErrorKinds.FORBIDDEN, message)
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorKinds.CONFLICT, message, details === undefined ? {} : { details })
export const invalidState = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorKinds.INVALID_STATE, message, details === undefined ? {} : { details })
export const unavailable = (message: string, cause?: unknown) =>
  new AppError(ErrorKinds.UNAVAILABLE, message, cause === undefined ? {} : { cause })
