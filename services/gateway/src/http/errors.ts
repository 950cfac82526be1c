import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { AppError, ErrorKinds, isAppError, Limits, limitExceeded } from '@taskforge/core'
import type { FastifyError, FastifyInstance } from 'fastify'
import { fieldPath, limitErrorOf, type ValidationItem } from './limit-schema.js'

/** A schema validation error that is no limit's: 400 naming the field, as the contract says. */
function invalid(item: ValidationItem | undefined, context: string | undefined): AppError {
  const missing = item?.params?.missingProperty
  const field =
    [fieldPath(item?.instancePath), typeof missing === 'string' ? missing : ''].filter(Boolean).join('.') ||
    context ||
    'body'
  return new AppError(ErrorKinds.BAD_REQUEST, `${field} ${item?.message ?? 'is invalid'}`, {
    details: { field },
  })
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

/** The seconds a 429 asks the client to wait: what the quota said, at least one. */
function retryAfterOf(error: AppError): number {
  const seconds = Number(error.details?.retry_after_seconds)
  return Number.isFinite(seconds) && seconds >= 1 ? Math.ceil(seconds) : 1
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
      const items = error.validation as ValidationItem[]
      appError = limitErrorOf(items, error.validationContext) ?? invalid(items[0], error.validationContext)
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const declared = Number(request.headers['content-length'])
      appError = limitExceeded(Limits.requestBody, 'body', Number.isFinite(declared) ? declared : undefined)
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
    if (appError.httpStatus === 429) void reply.header('retry-after', String(retryAfterOf(appError)))
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

/**
 * Answers what fails before a request exists (headers past their limit, a malformed request line)
 * with the contract's JSON error body, then closes the connection as Node does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? limitExceeded(Limits.requestHeaders, 'headers')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError(ErrorKinds.TIMEOUT, 'the request was not received in time')
        : new AppError(ErrorKinds.BAD_REQUEST, 'the request is not valid HTTP')
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : appError.httpStatus
  const body = JSON.stringify({ ...appError.toJSON(), statusCode: status })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
