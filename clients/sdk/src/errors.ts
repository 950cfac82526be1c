const MARK = Symbol.for('taskforge.sdk.error')

/**
 * An error answer of the API: its HTTP status and its stable `code` (`NOT_FOUND`,
 * `VALIDATION_FAILED`, `LIMIT_EXCEEDED`, ...), the message and the details it gave. Recognised
 * with {@link isTaskforgeError} across copies of the package, not `instanceof`.
 */
export class TaskforgeError extends Error {
  override name = 'TaskforgeError'
  readonly [MARK] = true

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }

  /** The error an answer carries, from its body when it is the API's error JSON. */
  static async fromResponse(response: Response): Promise<TaskforgeError> {
    const text = await response.text().catch(() => '')
    let body: { code?: unknown; message?: unknown; details?: unknown } = {}
    try {
      body = JSON.parse(text) as typeof body
    } catch {}
    return new TaskforgeError(
      response.status,
      typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
      typeof body.message === 'string' ? body.message : text.slice(0, 500) || response.statusText,
      typeof body.details === 'object' && body.details !== null
        ? (body.details as Record<string, unknown>)
        : undefined,
    )
  }
}

export function isTaskforgeError(error: unknown): error is TaskforgeError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARK] === true
}
