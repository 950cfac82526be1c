import { isAppError, validationFailed } from '@taskforge/core'
import { describe, expect, it } from 'vitest'
import { asciiSafe, withAsciiSafeErrors } from './ascii-safe-errors.js'

describe('errors made safe for gRPC metadata', () => {
  it('escapes what is not printable ASCII in the message and details, keeping the code', () => {
    const error = asciiSafe(
      validationFailed('type "Descripción" is unknown', { field: 'task_arguments', got: ['ñ'] }),
    )
    expect(isAppError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'type "Descripci\\u00f3n" is unknown',
      details: { field: 'task_arguments', got: ['\\u00f1'] },
    })
  })

  it('leaves ASCII errors and other errors as they are', () => {
    const ascii = validationFailed('plain', { field: 'name' })
    expect(asciiSafe(ascii)).toBe(ascii)
    const other = new Error('ü')
    expect(asciiSafe(other)).toBe(other)
  })

  it('wraps every handler', async () => {
    const handlers = withAsciiSafeErrors({
      async fails(): Promise<never> {
        throw validationFailed('ü')
      },
      async works() {
        return 1
      },
    })
    expect(await handlers.works()).toBe(1)
    await expect(handlers.fails()).rejects.toMatchObject({ message: '\\u00fc' })
  })
})
