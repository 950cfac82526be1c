import { AppError, ErrorKinds, isAppError } from '@taskforge/core'
import type { FastifyError, FastifyInstance } from 'fastify'

interface ValidationItem {
  instancePath?: string
  params?: Record<string, unknown>
  message?: string
}

/** Names the offending field of a schema validation error, e.g. `body.task_arguments[0]`. */
function fieldOf(context: string | undefined, item: ValidationItem | undefined): string {
  const path = (item?.instancePath ?? '')
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replace(/\//g, '.')
  const missing = item?.params?.missingProperty
  const name = [path, typeof missing === 'string' ? missing : ''].filter(Boolean).join('.')
  return name || context || 'body'
}

const GRPC_UNIMPLEMENTED = 12

/** A service that does not offer a method yet (an older version during a rolling deploy). */
const NOT_IMPLEMENTED = {
  code: 'NOT_IMPLEMENTED',
  httpStatus: 501,
  grpcStatus: GRPC_UNIMPLEMENTED,
  nonRetryable: true,
} as const

function isUnimplemented(error: AppError): boolean {
  return (error.cause as { code?: unknown } | undefined)?.code === GRPC_UNIMPLEMENTED
}

/** Maps every failure to the contract's JSON error body; bad input is 4xx, never 5xx. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let appError: AppError
    if (isAppError(error)) {
      appError = isUnimplemented(error)
        ? new AppError(NOT_IMPLEMENTED, 'this operation is not available in the running version', {
            cause: error,
          })
        : error
    } else if (error.validation) {
      const first = error.validation[0] as ValidationItem | undefined
      const field = fieldOf(error.validationContext, first)
      appError = new AppError(ErrorKinds.BAD_REQUEST, `${field} ${first?.message ?? 'is invalid'}`, {
        details: { field },
      })
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      const kind =
        error.statusCode === 413
          ? ErrorKinds.PAYLOAD_TOO_LARGE
          : error.statusCode === 415
            ? ErrorKinds.UNSUPPORTED_MEDIA_TYPE
            : error.statusCode === 404
              ? ErrorKinds.NOT_FOUND
              : ErrorKinds.BAD_REQUEST
      appError = new AppError(kind, error.message)
    } else {
      request.log.error({ err: error }, 'unexpected error')
      appError = new AppError(ErrorKinds.INTERNAL, 'internal error')
    }
    if (appError.httpStatus >= 500)
      request.log.warn({ code: appError.code, msg: appError.message }, 'request failed')
    void reply.status(appError.httpStatus).type('application/json').send(appError.toJSON())
  })
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    })
  })
}
