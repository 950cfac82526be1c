import { appErrorFromCode, isAppError } from '@taskforge/core'

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g

/** gRPC metadata carries printable ASCII only: anything else is written as a `\uXXXX` escape. */
function escapeText(text: string): string {
  return text.replace(NOT_PRINTABLE_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function escapeValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return escapeText(value)
  if (typeof value !== 'object' || value === null || depth > 8) return value
  if (Array.isArray(value)) return value.map((item) => escapeValue(item, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [escapeText(key), escapeValue(item, depth + 1)]),
  )
}

/**
 * The error as it may cross gRPC: errors travel in trailing metadata, which refuses anything but
 * printable ASCII, and a message echoing a user's input (an argument type, an id) may hold more.
 */
export function asciiSafe(error: unknown): unknown {
  if (!isAppError(error)) return error
  const escaped = escapeText(error.message)
  const details =
    error.details === undefined ? undefined : (escapeValue(error.details) as Record<string, unknown>)
  if (escaped === error.message && JSON.stringify(details) === JSON.stringify(error.details)) return error
  return Object.assign(appErrorFromCode(error.code, escaped, details), { cause: error })
}

/** Every handler of `handlers`, answering its errors in a form gRPC can carry. */
export function withAsciiSafeErrors<T extends object>(handlers: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, handler] of Object.entries(handlers)) {
    wrapped[name] =
      typeof handler === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (handler as (...a: unknown[]) => Promise<unknown>).apply(handlers, args)
            } catch (error) {
              throw asciiSafe(error)
            }
          }
        : handler
  }
  return wrapped as T
}
