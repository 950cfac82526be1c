import { Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { conflict, isAppError, validationFailed } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { ERROR_METADATA_KEY, fromServiceError, toErrorResponse } from './error-mapping.js'

function serviceError(code: status, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata })
}

describe('error mapping', () => {
  it('carries an AppError through status and trailers', () => {
    const response = toErrorResponse(conflict('task name taken', { name: 'deploy' }))
    expect(response.code).toBe(status.ALREADY_EXISTS)
    expect(JSON.parse(String(response.metadata.get(ERROR_METADATA_KEY)[0]))).toEqual({
      code: 'CONFLICT',
      message: 'task name taken',
      details: { name: 'deploy' },
    })
    const back = fromServiceError(serviceError(response.code, response.details, response.metadata), 'svc/M')
    expect(isAppError(back)).toBe(true)
    expect(back).toMatchObject({ code: 'CONFLICT', message: 'task name taken', details: { name: 'deploy' } })
  })

  it('hides anything that is not an AppError', () => {
    const response = toErrorResponse(new Error('password=hunter2'))
    expect(response).toMatchObject({ code: status.INTERNAL, details: 'internal error' })
    expect(String(response.metadata.get(ERROR_METADATA_KEY)[0])).not.toContain('hunter2')
  })

  it('drops details too large for the trailers', () => {
    const response = toErrorResponse(conflict('big', { blob: 'x'.repeat(20_000) }))
    expect(JSON.parse(String(response.metadata.get(ERROR_METADATA_KEY)[0]))).toEqual({
      code: 'CONFLICT',
      message: 'big',
    })
  })

  it('derives an AppError from the status when the server sent none', () => {
    expect(
      fromServiceError(serviceError(status.UNAVAILABLE, 'No connection established'), 'svc/M'),
    ).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'svc/M unavailable: No connection established',
    })
    expect(fromServiceError(serviceError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'), 'svc/M').code).toBe(
      'TIMEOUT',
    )
    expect(fromServiceError(serviceError(status.NOT_FOUND, 'nope'), 'svc/M').code).toBe('NOT_FOUND')
    expect(fromServiceError(serviceError(status.UNKNOWN, 'boom'), 'svc/M').code).toBe('INTERNAL')
  })

  it('ignores a malformed trailer', () => {
    const metadata = new Metadata()
    metadata.set(ERROR_METADATA_KEY, '{not json')
    expect(fromServiceError(serviceError(status.NOT_FOUND, 'x', metadata), 'svc/M').code).toBe('NOT_FOUND')
  })
})

describe('error metadata', () => {
  it('stays printable ASCII whatever the message holds, and reads back unchanged', () => {
    const message = 'argument «Descripción» 🚀 missing\u0007'
    const response = toErrorResponse(validationFailed(message, { field: 'ñ' }))
    const raw = String(response.metadata.get(ERROR_METADATA_KEY)[0])
    expect(raw).toMatch(/^[\x20-\x7e]*$/)
    expect(JSON.parse(raw)).toEqual({ code: 'VALIDATION_FAILED', message, details: { field: 'ñ' } })
  })
})
